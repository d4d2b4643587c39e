// The boundary: whatever a C++ caller hands over, a call either runs or throws
// std::invalid_argument naming what was wrong - in release builds too, never reading memory it was
// not given (make sanitize runs these under AddressSanitizer).
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>

#include <instaug/instaug.hpp>

namespace {

instaug::Compose pipeline_with(const std::string& transforms, const std::string& extra = "") {
    return instaug::Compose::from_string(
        R"({"__version__": "2.5.1", "transform": {"__class_fullname__": "Compose", "transforms": [)" + transforms +
        R"(], "bbox_params": {"coord_format": "pascal_voc"}, "keypoint_params": {"coord_format": "xy"}, "seed": 1)" +
        extra + "}}");
}

instaug::Input valid() {
    instaug::Input in;
    in.image = cv::Mat(40, 50, CV_8UC3, cv::Scalar(10, 20, 30));
    in.boxes = (cv::Mat_<float>(2, 4) << 2, 2, 20, 20, 10, 5, 45, 38);
    in.masks = {cv::Mat::zeros(40, 50, CV_8U), cv::Mat::zeros(40, 50, CV_8U)};
    in.masks[0](cv::Rect(2, 2, 18, 18)).setTo(1);
    in.masks[1](cv::Rect(10, 5, 35, 33)).setTo(1);
    in.keypoints = (cv::Mat_<float>(3, 2) << 5, 5, 12, 12, 30, 30);
    in.keypoints_per_row = {2, 1};
    return in;
}

// Every byte `value`: OpenCV's own fills take at most 4 channels.
cv::Mat filled(int rows, int cols, int type, uint8_t value) {
    cv::Mat m(rows, cols, type);
    if (m.total() > 0) std::memset(m.data, value, m.total() * m.elemSize());
    return m;
}

std::string refusal(const instaug::Compose& pipeline, const instaug::Input& in) {
    try {
        pipeline.run(in, 0);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("malformed rows and planes are refused by name") {
    const auto pipeline = pipeline_with(R"({"__class_fullname__": "Affine", "rotate": [-20, 20], "p": 1.0})");
    const std::vector<std::pair<std::string, std::function<void(instaug::Input&)>>> cases = {
        {"image must be (H, W) or (H, W, C) with 1 to 4 channels", [](instaug::Input& in) { in.image = cv::Mat(40, 50, CV_8UC(5)); }},
        {"image must be uint8 or float32", [](instaug::Input& in) { in.image = cv::Mat(40, 50, CV_16UC3); }},
        {"image must be (H, W) or (H, W, C)", [](instaug::Input& in) { const int d[3] = {2, 40, 50}; in.image = cv::Mat(3, d, CV_8U); }},
        {"boxes must be a one-channel CV_32F or CV_64F matrix", [](instaug::Input& in) { in.boxes = cv::Mat(2, 4, CV_32S); }},
        {"boxes must have shape (N, >= 4)", [](instaug::Input& in) { in.boxes = cv::Mat::zeros(2, 3, CV_32F); }},
        {"boxes must hold finite numbers", [](instaug::Input& in) { in.boxes.at<float>(1, 1) = std::nanf(""); }},
        {"has x_max <= x_min", [](instaug::Input& in) { in.boxes.at<float>(0, 2) = 1; }},
        {"masks[0] must have an integer or bool dtype", [](instaug::Input& in) { in.masks[0] = cv::Mat::zeros(40, 50, CV_32F); }},
        {"masks[1] must be (40, 50) or (40, 50, 1)", [](instaug::Input& in) { in.masks[1] = cv::Mat::zeros(40, 50, CV_8UC2); }},
        {"masks must share one type", [](instaug::Input& in) { in.masks[1] = cv::Mat::zeros(40, 50, CV_16U); }},
        {"keypoints_per_row: one per row expected", [](instaug::Input& in) { in.keypoints_per_row = {3}; }},
        {"keypoints_per_row[1] must be >= 0", [](instaug::Input& in) { in.keypoints_per_row = {4, -1}; }},
        {"keypoints_per_row must sum to the number of keypoints (3)", [](instaug::Input& in) { in.keypoints_per_row = {2, 2}; }},
        {"keypoints must have shape (N, 2)", [](instaug::Input& in) { in.keypoints = cv::Mat::zeros(3, 3, CV_32F); }},
        {"ids: one per row expected", [](instaug::Input& in) { in.ids = {1, 2, 3}; }},
        {"labels: one per row expected", [](instaug::Input& in) { in.labels = {1}; }},
        {"mask must be (40, 50) or (40, 50, C)", [](instaug::Input& in) { in.mask = cv::Mat::zeros(41, 50, CV_8U); }},
        {"metadata['mosaic_metadata']: no transform of the pipeline reads it",
         [](instaug::Input& in) { in.metadata["mosaic_metadata"] = {}; }},
        {"additional['depth']: the pipeline file names no such additional target",
         [](instaug::Input& in) { in.additional["depth"] = cv::Mat::zeros(40, 50, CV_8U); }},
    };
    for (const auto& [expected, spoil] : cases) {
        instaug::Input in = valid();
        in.boxes = in.boxes.clone();
        spoil(in);
        const std::string message = refusal(pipeline, in);
        INFO("expected: " << expected << "\ngot: " << message);
        CHECK(message.find(expected) != std::string::npos);
    }
    CHECK(refusal(pipeline, valid()).empty());
}

TEST_CASE("values read from the call are checked where a transform reads them") {
    const auto crop = pipeline_with(R"({"__class_fullname__": "RandomCropNearBBox", "p": 1.0})");
    instaug::Input in = valid();
    CHECK(refusal(crop, in) == "RandomCropNearBBox reads cropping_bbox= from the call; pass it in the call");
    in.numbers["cropping_bbox"] = {1, 2};
    CHECK(refusal(crop, in) == "cropping_bbox must be 4 numbers (x_min, y_min, x_max, y_max) in pixels, got [1.0, 2.0]");
    in.numbers["cropping_bbox"] = {1, 2, 30, 30};
    CHECK(refusal(crop, in).empty());

    const auto guided = pipeline_with(R"({"__class_fullname__": "GuidedCoarseDropout", "p": 1.0})");
    in = valid();
    in.images["dropout_region"] = {};
    CHECK(refusal(guided, in) == "dropout_region must be one single-channel (H, W) array");
    in.images["dropout_region"] = {cv::Mat(40, 50, CV_8U, cv::Scalar(3))};
    CHECK(refusal(guided, in) == "dropout_region must be binary with values 0 or 1 (or booleans)");
    in.images["dropout_region"] = {cv::Mat(40, 50, CV_8U, cv::Scalar(1))};
    CHECK(refusal(guided, in).empty());

    const auto fda = pipeline_with(R"({"__class_fullname__": "FDA", "p": 1.0})");
    in = valid();
    in.images["fda_metadata"] = {};
    CHECK(refusal(fda, in).find("requires reference images") != std::string::npos);
    in.images["fda_metadata"] = {cv::Mat(8, 8, CV_64FC3)};
    CHECK(refusal(fda, in) == "fda_metadata[0] must be a non-empty uint8 or float32 image with 1 to 4 channels");
}

TEST_CASE("random damage to a valid call: it runs or it is refused, never more") {
    const auto pipeline = pipeline_with(R"({"__class_fullname__": "Affine", "rotate": [-20, 20], "p": 1.0},
                                           {"__class_fullname__": "RandomCrop", "height": 30, "width": 30, "p": 1.0})");
    std::mt19937 rng(7);
    const int types[] = {CV_8U, CV_8S, CV_16U, CV_16S, CV_32S, CV_32F, CV_64F};
    for (int trial = 0; trial < 300; ++trial) {
        instaug::Input in = valid();
        in.boxes = in.boxes.clone();
        const int rows = static_cast<int>(rng() % 60), cols = static_cast<int>(rng() % 60);
        const int type = CV_MAKETYPE(types[rng() % 7], 1 + static_cast<int>(rng() % 5));
        switch (rng() % 6) {
            case 0: in.image = filled(rows, cols, type, 0); break;
            case 1: in.masks[rng() % 2] = filled(rows, cols, type, 1); break;
            case 2: in.boxes = filled(static_cast<int>(rng() % 4), static_cast<int>(rng() % 6), type, 5); break;
            case 3: in.keypoints = filled(static_cast<int>(rng() % 5), static_cast<int>(rng() % 4), type, 3); break;
            case 4: in.keypoints_per_row = {static_cast<int>(rng() % 5) - 1, static_cast<int>(rng() % 5) - 1}; break;
            case 5: in.mask = filled(rows, cols, type, 1); break;
        }
        try {
            pipeline.run(in, static_cast<uint64_t>(trial));
        } catch (const std::invalid_argument&) {
        }
    }
}
