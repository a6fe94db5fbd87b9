#pragma once
/// \file
/// riskkit's C++ API in one include.
///
///     #include <riskkit/riskkit.hpp>
///     auto engine = riskkit::Engine::open("examples/bundles/application");
///     riskkit::Decision d = engine.decide(riskkit::Record::from_json(R"({"application_id": "A-1", ...})"));
///     std::puts(d.to_json().c_str());

#include "riskkit/core/record.hpp"
#include "riskkit/core/schema.hpp"
#include "riskkit/core/time.hpp"
#include "riskkit/core/value.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/engine/decision.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/error.hpp"
#include "riskkit/features/feature_pipeline.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"
#include "riskkit/features/redis_velocity_store.hpp"
#include "riskkit/features/velocity.hpp"
#include "riskkit/metrics/metrics.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/policy/policy.hpp"
#include "riskkit/privacy/pii.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"
#include "riskkit/rules/expression.hpp"
#include "riskkit/rules/rule_set.hpp"
#include "riskkit/version.hpp"
