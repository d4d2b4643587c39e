#include "transforms/pipeline_file.hpp"

#include <stdexcept>

#include "transforms/registry.hpp"

namespace instaug {

const char* const kFileVersion = "2.5.1";

Json read_pipeline_file(const Json& file) {
    if (!file.is_object() || !file.contains("transform"))
        throw std::invalid_argument(
            "a pipeline file is a dict {\"__version__\": ..., \"transform\": {\"__class_fullname__\": ...}}, got " +
            python_repr(file.is_object() ? Json("a dict without 'transform'") : file));
    for (const auto& [key, value] : file.items()) {
        if (key == "transform") continue;
        if (key != "__version__")
            throw std::invalid_argument("the file: unknown key '" + key + "' (expected __version__ and transform)");
        if (!value.is_string()) throw std::invalid_argument("the file: __version__ must be a string, got " + python_repr(value));
    }
    return {{"__version__", file.value("__version__", kFileVersion)},
            {"transform", normalize_description(file["transform"], "transform")}};
}

}  // namespace instaug
