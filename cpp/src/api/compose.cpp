#include "instaug/compose.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "api/call_reader.hpp"
#include "api/compose_config.hpp"
#include "api/result_writer.hpp"
#include "core/buffer_cache.hpp"
#include "transforms/pipeline_file.hpp"

namespace instaug {

struct Compose::Impl {
    ComposeConfig config;
    std::mutex mutex;  // seed and calls change together
    uint64_t seed = 0;
    uint64_t calls = 0;

    // The first call index of the next `count` calls.
    std::pair<uint64_t, uint64_t> take(uint64_t count) {
        std::lock_guard<std::mutex> lock(mutex);
        const uint64_t first = calls;
        calls += count;
        return {seed, first};
    }

    Result run(const Input& input, uint64_t seed_of_call, uint64_t index, bool force_apply) const {
        CallData call = read_input(input, config);
        config.pipeline->run(call.sample, seed_of_call, index, call.items, force_apply);
        return write_result(call, input, config);
    }
};

namespace {

uint64_t fresh_seed() {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
}

// A Lambda (saved by its name) or a user's class (saved by its module path): Python code, which a
// C++ pipeline cannot run. Said before the registry reports an unknown transform.
void refuse_python_transforms(const Json& description, const std::string& where) {
    if (description.is_array()) {
        for (std::size_t i = 0; i < description.size(); ++i)
            refuse_python_transforms(description[i], where + "[" + std::to_string(i) + "]");
        return;
    }
    if (!description.is_object()) return;
    const Json name = description.value("__class_fullname__", Json());
    if (name.is_string() && (name == "Lambda" || name.get<std::string>().find('.') != std::string::npos))
        throw std::invalid_argument(where + ": " + name.get<std::string>() +
                                    " is a transform written in Python: the C++ API cannot run it");
    for (const auto& [key, value] : description.items()) refuse_python_transforms(value, where + "." + key);
}

// Rethrows the exception of call `index` with "calls[index]: " before its message, same type for
// the library's own kinds of error.
[[noreturn]] void rethrow_call_error(std::exception_ptr error, std::size_t index) {
    const std::string where = "calls[" + std::to_string(index) + "]: ";
    try {
        std::rethrow_exception(error);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where + e.what());
    } catch (const std::logic_error& e) {
        throw std::logic_error(where + e.what());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(where + e.what());
    }
}

}  // namespace

Compose::Compose(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Compose::Compose(Compose&&) noexcept = default;
Compose& Compose::operator=(Compose&&) noexcept = default;
Compose::~Compose() = default;

Compose Compose::from_string(const std::string& text) {
    Json file;
    try {
        file = Json::parse(text);
    } catch (const Json::parse_error& e) {
        throw std::invalid_argument(std::string("a pipeline file must be JSON (A.save(..., data_format='json')): ") +
                                    e.what());
    }
    if (file.is_object() && file.contains("transform")) refuse_python_transforms(file["transform"], "transform");
    const Json content = read_pipeline_file(file);
    auto impl = std::make_unique<Impl>();
    impl->config = read_compose(content["transform"]);
    impl->seed = impl->config.seed ? *impl->config.seed : fresh_seed();
    return Compose(std::move(impl));
}

Compose Compose::load(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot read the pipeline file '" + path + "'");
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) throw std::runtime_error("cannot read the pipeline file '" + path + "'");
    try {
        return from_string(text.str());
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(path + ": " + e.what());
    }
}

Result Compose::operator()(const Input& input) {
    const auto [seed, index] = impl_->take(1);
    return impl_->run(input, seed, index, false);
}

Result Compose::run(const Input& input, uint64_t call_index, bool force_apply) const {
    uint64_t seed = 0;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        seed = impl_->seed;
    }
    return impl_->run(input, seed, call_index, force_apply);
}

std::vector<Result> Compose::batch(const std::vector<Input>& inputs, int threads) {
    const auto [seed, first] = impl_->take(inputs.size());
    std::vector<Result> results(inputs.size());
    std::vector<std::exception_ptr> errors(inputs.size());
    std::atomic<std::size_t> next{0};
    auto work = [&, seed = seed, first = first] {
        for (std::size_t i = next++; i < inputs.size(); i = next++) {
            try {
                results[i] = impl_->run(inputs[i], seed, first + i, false);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    if (threads < 0) throw std::invalid_argument("batch: threads must be >= 0 (0: one per hardware thread), got " +
                                                 std::to_string(threads));
    const std::size_t wanted = threads > 0 ? static_cast<std::size_t>(threads)
                                           : std::max(1u, std::thread::hardware_concurrency());
    const std::size_t count = std::min(wanted, std::max<std::size_t>(inputs.size(), 1));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < count; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    for (std::size_t i = 0; i < errors.size(); ++i)
        if (errors[i]) rethrow_call_error(errors[i], i);
    return results;
}

uint64_t Compose::seed() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->seed;
}

void Compose::set_random_seed(uint64_t seed) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->seed = seed;
    impl_->calls = 0;
}

uint64_t Compose::calls() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->calls;
}

std::vector<std::string> Compose::transform_names() const {
    std::vector<std::string> names;
    for (const TransformNode* leaf : impl_->config.pipeline->leaves()) names.push_back(leaf->name());
    return names;
}

void use_buffer_cache(std::size_t limit_bytes) {
    BufferCache::instance().set_limit(limit_bytes);
    if (limit_bytes > 0) use_buffer_cache_for_mats();
}

}  // namespace instaug
