// A transform's arguments after validation against its schema: every declared name is present
// (defaults filled in) and in its normal form (ranges as two numbers, per-axis ranges as
// {"x": range, "y": range}, fills and per-channel values as lists). Samplers read them through
// typed accessors; a wrong name or type there is a bug of ours, reported as std::logic_error.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace instaug {

// Objects keep their keys in the order written: a schema's order, a file's order.
using Json = nlohmann::ordered_json;

class Params {
public:
    Params() = default;
    explicit Params(Json values) : values_(std::move(values)) {}

    bool has(const std::string& name) const { return values_.contains(name); }
    bool is_none(const std::string& name) const { return at(name).is_null(); }
    bool flag(const std::string& name) const;
    int64_t integer(const std::string& name) const;
    int integer32(const std::string& name) const { return static_cast<int>(integer(name)); }
    double number(const std::string& name) const;
    const std::string& text(const std::string& name) const;
    std::array<double, 2> range(const std::string& name) const;
    // One axis ("x" or "y") of a per-axis range (a single range serves both).
    std::array<double, 2> axis_range(const std::string& name, const char* axis) const;
    std::vector<double> numbers(const std::string& name) const;
    const Json& at(const std::string& name) const;
    const Json& json() const { return values_; }

private:
    Json values_ = Json::object();
};

// A JSON value written as Python writes it (None, True, 'text', [1, 2]): error messages quote what
// the caller passed in the caller's terms.
std::string python_repr(const Json& value);
// A double as Python's repr writes it: the shortest digits that read back ("0.1", "1e-05", "3.0").
std::string python_float_repr(double value);

}  // namespace instaug
