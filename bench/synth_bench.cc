// privet_bench: the synthesis pipeline end to end, for benchmarks only (no ledger, no
// attestation; NOT a release path). encode CSV -> bound units -> plan -> fit (secure noise)
// -> sample -> decode CSV, with the time of each stage on stderr.
//
//   privet_bench --config C.json [--csv data.csv] --epsilon 1 [--delta 1e-9] [--mode gaussian]
//                --out synth.csv [--model model.json] [--seed 1] [--degree K] [--rows N]
//                [--one-way-share S] [--structure-share S] [--max-groups G]
//                [--pair-share S] [--pair-levels L] [--pair-rounds R]
//                [--pair-selection-fraction F] [--noise-seed S] [--plan]
// --noise-seed S draws the privacy noise from a seeded stream instead of the CSPRNG, so two
// variants can be compared on the same noise (paired runs); never for a release.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include <boost/random/mersenne_twister.hpp>

#include "engine/generator/model.h"
#include "engine/generator/privbayes.h"
#include "engine/generator/sampler.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/table/decoder.h"
#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "engine/table/unit_bounding.h"
#include "privacy/errors.h"
#include "privacy/random_source.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

[[noreturn]] void Usage(const std::string& what) {
  std::cerr << "privet_bench: " << what << "\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace privet;
  std::string config, csv, out, model_out;
  std::uint64_t seed = 1;
  std::optional<std::uint64_t> rows, noise_seed;
  bool plan_only = false;
  engine::SynthesisOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--config") config = value();
    else if (arg == "--csv") csv = value();
    else if (arg == "--out") out = value();
    else if (arg == "--model") model_out = value();
    else if (arg == "--epsilon") options.epsilon = std::stod(value());
    else if (arg == "--delta") options.delta = std::stod(value());
    else if (arg == "--mode") options.mode = engine::ParseNoiseMode(value());
    else if (arg == "--seed") seed = std::stoull(value());
    else if (arg == "--rows") rows = std::stoull(value());
    else if (arg == "--degree") options.degree = static_cast<std::uint32_t>(std::stoul(value()));
    else if (arg == "--max-parent-cells") options.max_parent_cells = std::stoull(value());
    else if (arg == "--one-way-share") options.one_way_share = std::stod(value());
    else if (arg == "--structure-share") options.structure_share = std::stod(value());
    else if (arg == "--max-groups") options.max_groups = static_cast<std::uint32_t>(std::stoul(value()));
    else if (arg == "--pair-share") options.pair_share = std::stod(value());
    else if (arg == "--pair-levels") options.pair_levels = static_cast<std::uint32_t>(std::stoul(value()));
    else if (arg == "--pair-rounds") options.pair_rounds = static_cast<std::uint32_t>(std::stoul(value()));
    else if (arg == "--pair-selection-fraction") options.pair_selection_fraction = std::stod(value());
    else if (arg == "--penalty-weight") options.penalty_weight = std::stod(value());
    else if (arg == "--theta") options.usefulness_theta = std::stod(value());
    else if (arg == "--noise-seed") noise_seed = std::stoull(value());
    else if (arg == "--plan") plan_only = true;
    else Usage("unknown argument " + arg);
  }
  if (config.empty() || (out.empty() && !plan_only)) Usage("--config and --out are required");
  try {
    const auto t0 = Clock::now();
    auto t = t0;
    const engine::Schema schema =
        csv.empty() ? engine::Schema::Load(config) : engine::Schema::Load(config, csv);
    const engine::SynthesisPlan plan = engine::PlanSynthesis(schema, options);
    std::cerr << "plan " << Since(t) << " s, composed epsilon " << plan.composed_epsilon << "\n";
    if (plan_only) {
      std::cout << plan.Describe() << plan.ToJson().dump(1) << "\n";
      return 0;
    }
    t = Clock::now();
    privacy::RandomSource secure = noise_seed ? privacy::RandomSource::Seeded(*noise_seed)
                                              : privacy::RandomSource::Secure();
    engine::BayesNetModel model;
    {
      engine::EncodedTable table = engine::EncodeDataset(schema);
      std::cerr << "encode " << Since(t) << " s, " << table.num_rows() << " rows, "
                << table.memory_bytes() / 1e6 << " MB\n";
      t = Clock::now();
      if (!table.unit_ids().empty()) {
        table = engine::BoundRowsPerUnit(table, schema.max_rows_per_unit(), secure);
      }
      engine::FitDiagnostics diag;
      model = engine::FitBayesNet(table, plan, schema.ToJson(), secure, &diag);
      std::cerr << "fit " << Since(t) << " s (1-way " << diag.seconds_one_way << ", structure "
                << diag.seconds_structure << ", families " << diag.seconds_families
                << "), max family cells " << diag.max_family_cells << ", scoring rows "
                << diag.scoring_rows << ", pair marginals used " << diag.pairs_used << "\n";
      if (!diag.pairs_selected.empty()) {
        std::cerr << "pair selection " << diag.seconds_pairs << " s:";
        for (const auto& [a, b] : diag.pairs_selected) {
          std::cerr << " " << table.column(plan.modelled_columns.empty() ? a : plan.modelled_columns[a]).name()
                    << "-" << table.column(plan.modelled_columns.empty() ? b : plan.modelled_columns[b]).name();
        }
        std::cerr << "\n";
      }
    }
    for (const auto& entry : model.network()) {
      std::cerr << "  " << model.attributes()[entry.attribute].name << " ("
                << model.compression()[entry.attribute].num_groups << " groups) <-";
      for (std::size_t p : entry.parents) std::cerr << " " << model.attributes()[p].name;
      std::cerr << "\n";
    }
    if (!model_out.empty()) {
      std::ofstream file(model_out);
      file << model.ToJson().dump();
    }
    t = Clock::now();
    boost::random::mt19937_64 rng(seed);
    const std::uint64_t n =
        rows ? *rows : static_cast<std::uint64_t>(std::llround(model.noisy_rows()));
    const engine::EncodedTable synthetic = engine::SampleRows(model, n, rng);
    std::cerr << "sample " << Since(t) << " s, " << n << " rows\n";
    t = Clock::now();
    {
      std::ofstream file(out, std::ios::binary);
      engine::WriteCsv(schema, synthetic, file, rng);
    }
    std::cerr << "write " << Since(t) << " s\n";
    std::cerr << "total " << Since(t0) << " s\n";
  } catch (const Error& error) {
    std::cerr << "privet_bench: " << error.what() << "\n";
    return static_cast<int>(error.exit_code());
  }
  return 0;
}
