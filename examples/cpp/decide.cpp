// Decide the example applications with the C++ API and print a one-line summary each.
//
//   example_decide examples/bundles/application
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <riskkit/riskkit.hpp>

int main(int argc, char **argv) {
  const std::string bundle = argc > 1 ? argv[1] : "examples/bundles/application";
  try {
    const riskkit::Engine engine = riskkit::Engine::open(bundle);
    std::cout << "bundle " << engine.bundle()->name() << ' ' << engine.bundle()->version() << '\n';
    std::ifstream in(bundle + "/applications.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      const riskkit::Decision d = engine.decide(riskkit::Record::from_json(line));
      std::printf("%-10s %-8s grade %-2s PD %.4f", d.event_id.c_str(), riskkit::to_string(d.outcome), d.grade.c_str(),
                  d.scores.empty() ? 0.0 : d.scores[0].value);
      for (const riskkit::Reason &r : d.reasons) std::printf("  [%s] %s", r.code.c_str(), r.text.c_str());
      std::printf("\n");
    }
  } catch (const riskkit::Error &e) {
    std::cerr << "error (" << riskkit::to_string(e.code()) << "): " << e.what() << '\n';
    return 1;
  }
  return 0;
}
