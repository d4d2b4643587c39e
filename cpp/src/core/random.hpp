// The pipeline's random source. A call's generator is seeded from (compose seed, call index), so a
// sample's parameters never depend on which thread ran it or how many ran before it concurrently.
#pragma once
#include <cstdint>

#include "transforms/params.hpp"

namespace instaug {

class Random {
public:
    explicit Random(uint64_t seed);
    static uint64_t mix(uint64_t seed, uint64_t index);

    uint64_t next_u64();
    double uniform01();                      // [0, 1)
    double uniform(double a, double b);      // a + (b - a) * u, as Python's random.uniform
    int64_t randint(int64_t a, int64_t b);   // inclusive, as Python's random.randint
    double normal(double mean, double stddev);
    bool chance(double p) { return uniform01() < p; }

    // What a transform drew, under the name of the argument it was drawn from (Blur's kernel under
    // blur_range): the reference's applied config, reported when a call collects them
    // (save_applied_params, ReplayCompose) and otherwise dropped.
    void note(const char* argument, Json value) {
        if (notes_) (*notes_)[argument] = std::move(value);
    }
    // Where the notes of the transform about to run go (nullptr: nowhere).
    void collect_notes(Json* notes) { notes_ = notes; }
    Json* notes() const { return notes_; }

private:
    uint64_t state_[4];
    Json* notes_ = nullptr;
};

}  // namespace instaug
