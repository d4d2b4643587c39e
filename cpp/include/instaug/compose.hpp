// A pipeline loaded from the file Python's A.save writes (JSON), run on C++ samples. For the same
// file, seed and call index, it gives what the Python facade gives: the same images, masks and rows.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "instaug/sample.hpp"

namespace instaug {

class Compose {
public:
    // The file's pipeline. Every transform and argument is checked: an unknown one, a bad value or a
    // transform written in Python is std::invalid_argument naming it and its place in the file
    // ("transform.transforms[2]: Blur: unknown argument 'foo'"); a file that cannot be read is
    // std::runtime_error.
    static Compose load(const std::string& path);
    static Compose from_string(const std::string& json);

    Compose(Compose&&) noexcept;
    Compose& operator=(Compose&&) noexcept;
    ~Compose();

    // The next call of this Compose's sequence. Thread-safe: concurrent callers take distinct calls.
    Result operator()(const Input& input);
    // Call `call_index` of the sequence, whatever calls were made before (const: a pure function of
    // the input, the seed and the index). `force_apply` skips the Compose's own p.
    Result run(const Input& input, uint64_t call_index, bool force_apply = false) const;
    // The next inputs.size() calls, run on `threads` threads (0: one per hardware thread); the
    // results are those of the same calls made one by one. An error in any call is rethrown,
    // prefixed with "calls[i]: ".
    std::vector<Result> batch(const std::vector<Input>& inputs, int threads = 0);

    // The seed of the sequence: the file's "seed", else one drawn at load.
    uint64_t seed() const;
    // Restarts the sequence from `seed`: the next call is call 0.
    void set_random_seed(uint64_t seed);
    // Calls taken so far.
    uint64_t calls() const;
    // Names of the transforms that do the work (compositions opened), in file order.
    std::vector<std::string> transform_names() const;

private:
    struct Impl;
    explicit Compose(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The buffer cache: large buffers (images, masks) freed by a call are kept for the next calls
// instead of returned to the system, up to `limit_bytes` (0: off). Off for C++ users until this is
// called; the Python module turns it on. It becomes OpenCV's allocator for the whole process.
void use_buffer_cache(std::size_t limit_bytes);

}  // namespace instaug
