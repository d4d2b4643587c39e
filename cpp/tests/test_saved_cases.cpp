// C++ gives what the Python facade gave: each saved case (cpp/tests/cases/NAME, written by
// scripts/make_cpp_cases.py and checked from Python by tests/test_cpp_cases.py) is the pipeline
// file, the call's data and the facade's result, compared here element for element.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include <instaug/instaug.hpp>

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

int cv_type_of(const std::string& dtype, int channels) {
    const int depth = dtype == "uint8" ? CV_8U : dtype == "int32" ? CV_32S : dtype == "float32" ? CV_32F : -1;
    REQUIRE_MESSAGE(depth >= 0, "unexpected dtype " << dtype);
    return CV_MAKETYPE(depth, channels);
}

// A raw little-endian array as a cv::Mat: (H, W[, C]) as an image, (N, H, W) as a 3-D stack.
cv::Mat read_array(const fs::path& folder, const Json& entry) {
    std::ifstream file(folder / entry["file"].get<std::string>(), std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const std::vector<int> shape = entry["shape"].get<std::vector<int>>();
    const std::string dtype = entry["dtype"].get<std::string>();
    cv::Mat out;
    if (shape.size() == 3 && dtype != "uint8" && dtype != "float32") FAIL("unexpected array " << entry.dump());
    if (shape.size() == 3 && entry["file"].get<std::string>().find("stacked") != std::string::npos)
        out.create(3, shape.data(), cv_type_of(dtype, 1));
    else
        out.create(shape[0], shape[1], cv_type_of(dtype, shape.size() == 3 ? shape[2] : 1));
    REQUIRE(bytes.size() == out.total() * out.elemSize());
    std::memcpy(out.data, bytes.data(), bytes.size());
    return out;
}

cv::Mat rows_of(const Json& values, int columns) {
    cv::Mat out(static_cast<int>(values.size()), columns, CV_64F);
    for (int r = 0; r < out.rows; ++r)
        for (int c = 0; c < columns; ++c) out.at<double>(r, c) = values[r][c].get<double>();
    return out;
}

instaug::Input input_of(const fs::path& folder, const Json& given) {
    instaug::Input in;
    in.image = read_array(folder, given["image"]);
    if (given.contains("boxes")) in.boxes = rows_of(given["boxes"], 4);
    if (given.contains("masks"))
        for (const Json& m : given["masks"]) in.masks.push_back(read_array(folder, m));
    if (given.contains("keypoints")) {
        in.keypoints = rows_of(given["keypoints"], 2);
        in.keypoints_per_row = given["keypoints_per_row"].get<std::vector<int>>();
    }
    if (given.contains("metadata"))
        for (const auto& [key, items] : given["metadata"].items())
            for (const Json& item : items) in.metadata[key].push_back(input_of(folder, item));
    return in;
}

std::string source_label(const instaug::RowSource& s) {
    if (s.key.empty()) return "call:" + std::to_string(s.row);
    return s.key + "[" + std::to_string(s.item) + "]:" + std::to_string(s.row);
}

void check_equal(const cv::Mat& got, const cv::Mat& expected, const std::string& what) {
    INFO(what);
    REQUIRE(got.type() == expected.type());
    REQUIRE(got.dims == expected.dims);
    for (int d = 0; d < got.dims; ++d) REQUIRE(got.size[d] == expected.size[d]);
    if (got.total() == 0) return;
    cv::Mat a = got.isContinuous() ? got : got.clone(), b = expected;
    CHECK(std::memcmp(a.data, b.data, a.total() * a.elemSize()) == 0);
}

void check_case(const fs::path& folder) {
    INFO("case " << folder.filename().string());
    std::ifstream file(folder / "case.json");
    const Json description = Json::parse(file);
    const instaug::Compose pipeline = instaug::Compose::load((folder / "pipeline.json").string());
    const instaug::Input in = input_of(folder, description["input"]);
    const instaug::Result out = pipeline.run(in, description["call_index"].get<uint64_t>());
    const Json& expected = description["expected"];
    check_equal(out.image, read_array(folder, expected["image"]), "image");
    cv::Mat boxes;
    rows_of(expected["boxes"], 4).convertTo(boxes, CV_32F);
    check_equal(out.boxes.empty() ? cv::Mat(0, 4, CV_32F) : out.boxes, boxes, "boxes");
    std::vector<std::string> sources;
    for (const auto& s : out.sources) sources.push_back(source_label(s));
    CHECK(sources == expected["sources"].get<std::vector<std::string>>());
    if (expected.contains("masks")) {
        REQUIRE(out.masks.size() == expected["masks"].size());
        for (std::size_t i = 0; i < out.masks.size(); ++i)
            check_equal(out.masks[i], read_array(folder, expected["masks"][i]), "masks[" + std::to_string(i) + "]");
    }
    if (expected.contains("stacked_masks"))
        check_equal(out.stacked_masks, read_array(folder, expected["stacked_masks"]), "stacked_masks");
    if (expected.contains("index_map")) check_equal(out.index_map, read_array(folder, expected["index_map"]), "index_map");
    if (expected.contains("rle_counts")) CHECK(out.rle_counts == expected["rle_counts"].get<std::vector<std::string>>());
    if (expected.contains("keypoints")) {
        cv::Mat points;
        rows_of(expected["keypoints"], 2).convertTo(points, CV_32F);
        check_equal(out.keypoints.empty() ? cv::Mat(0, 2, CV_32F) : out.keypoints, points, "keypoints");
        CHECK(out.keypoints_per_row == expected["keypoints_per_row"].get<std::vector<int>>());
    }
}

}  // namespace

TEST_CASE("every saved case: C++ gives the facade's images, masks and rows") {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(INSTAUG_CASES_DIR))
        if (entry.is_directory()) cases.push_back(entry.path());
    REQUIRE(cases.size() >= 5);
    for (const fs::path& folder : cases) check_case(folder);
}
