// Decides one application with an installed riskkit (C++ API).
#include <iostream>

#include <riskkit/riskkit.hpp>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const riskkit::Engine engine = riskkit::Engine::open(argv[1]);
  const riskkit::Decision d = engine.decide(riskkit::Record::from_json(R"({"application_id": "I-1", "age": 40, "income": 6000, "debt": 500})"));
  std::cout << riskkit::version() << ' ' << riskkit::to_string(d.outcome) << '\n';
  return d.event_id == "I-1" ? 0 : 1;
}
