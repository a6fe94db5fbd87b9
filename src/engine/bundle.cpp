#include "riskkit/engine/bundle.hpp"

#include "engine/bundle_content.hpp"

namespace riskkit {

Bundle::Bundle(std::unique_ptr<detail::BundleContent> content) : content_(std::move(content)) {}
Bundle::~Bundle() = default;

const std::string &Bundle::name() const noexcept { return content_->name; }
const std::string &Bundle::version() const noexcept { return content_->version; }
const std::string &Bundle::stage() const noexcept { return content_->stage; }
const std::string &Bundle::digest() const noexcept { return content_->digest; }
const std::string &Bundle::directory() const noexcept { return content_->directory; }
const Schema &Bundle::schema() const noexcept { return content_->schema; }
const RuleSet &Bundle::rules() const noexcept { return content_->rules; }

std::vector<std::string> Bundle::feature_names() const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < content_->features.num_features(); ++i) names.push_back(content_->features.feature_name(i));
  return names;
}

std::vector<std::string> Bundle::model_names() const {
  std::vector<std::string> names;
  for (const auto &m : content_->models)
    if (!m.shadow) names.push_back(m.name);
  return names;
}

std::vector<std::string> Bundle::shadow_model_names() const {
  std::vector<std::string> names;
  for (const auto &m : content_->models)
    if (m.shadow) names.push_back(m.name);
  return names;
}

std::vector<std::string> Bundle::outcome_names() const {
  std::vector<std::string> names;
  for (const StageOutcome &o : content_->policy.outcomes()) names.push_back(o.name);
  return names;
}

}  // namespace riskkit
