// Results carry their geometry: the forward map moves what is known on the input exactly as the
// pipeline moved it, and unmap brings what is found on the output back onto the input.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include <instaug/instaug.hpp>

namespace {

instaug::Compose pipeline_of(const std::string& transforms, const std::string& keypoint_format = "xy") {
    return instaug::Compose::from_string(
        R"({"__version__": "2.5.1", "transform": {"__class_fullname__": "Compose", "transforms": [)" + transforms +
        R"(], "bbox_params": {"coord_format": "pascal_voc"}, "keypoint_params": {"coord_format": ")" +
        keypoint_format + R"(", "remove_invisible": false}, "seed": 3}})");
}

instaug::Input camera_frame() {
    instaug::Input in;
    in.image = cv::Mat(96, 128, CV_8UC3, cv::Scalar(40, 80, 120));
    in.boxes = (cv::Mat_<double>(2, 4) << 10, 12, 40, 30, 64, 20, 100, 82);
    for (int i = 0; i < 2; ++i) {
        cv::Mat mask = cv::Mat::zeros(96, 128, CV_8U);
        mask(i == 0 ? cv::Rect(10, 12, 30, 18) : cv::Rect(64, 20, 36, 62)).setTo(1);
        in.masks.push_back(mask);
    }
    in.keypoints = (cv::Mat_<double>(3, 2) << 20.5, 20.5, 70, 30, 90.25, 75.75);
    in.keypoints_per_row = {1, 2};
    return in;
}

double largest_difference(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat x, y;
    a.convertTo(x, CV_64F);
    b.convertTo(y, CV_64F);
    return cv::norm(x, y, cv::NORM_INF);
}

}  // namespace

TEST_CASE("LetterBox: scale and centre padding, and the way back") {
    auto pipeline = pipeline_of(R"({"__class_fullname__": "LetterBox", "size": [64, 64]},
                                   {"__class_fullname__": "Normalize"})");
    const instaug::Input in = camera_frame();
    const instaug::Result out = pipeline.run(in, 0);
    const instaug::Geometry& g = out.geometry;
    REQUIRE(g.invertible());
    CHECK(g.input_size() == cv::Size(128, 96));
    CHECK(g.output_size() == cv::Size(64, 64));
    CHECK(out.image.type() == CV_32FC3);
    // 128x96 -> 64x48, 8 rows of padding above: pixel edges scale by 1/2, then move down by 8.
    CHECK(largest_difference(out.boxes, (cv::Mat_<float>(2, 4) << 5, 14, 20, 23, 32, 18, 50, 49)) < 1e-5);
    CHECK(largest_difference(g.map_boxes(in.boxes), out.boxes) < 1e-4);
    CHECK(largest_difference(g.unmap_boxes(out.boxes), in.boxes) < 1e-4);
    CHECK(largest_difference(g.map_keypoints(in.keypoints), out.keypoints) < 1e-4);
    CHECK(largest_difference(g.unmap_keypoints(out.keypoints), in.keypoints) < 1e-4);
    REQUIRE(out.masks.size() == 2);
    for (int i = 0; i < 2; ++i) {
        const cv::Mat back = g.unmap_mask(out.masks[i]);
        REQUIRE(back.size() == in.masks[i].size());
        CHECK(cv::boundingRect(back) == cv::boundingRect(in.masks[i]));
    }
    // A detection on the padding maps back outside the image: clipped to it.
    const cv::Mat on_padding = (cv::Mat_<float>(1, 4) << 0, 0, 64, 8);
    const cv::Mat clipped = g.unmap_boxes(on_padding);
    CHECK(clipped.at<float>(0, 1) == 0);
    CHECK(clipped.at<float>(0, 3) == 0);
}

TEST_CASE("the forward map of rotations, crops and flips moves points as the pipeline moved them") {
    auto pipeline = pipeline_of(R"({"__class_fullname__": "Affine", "rotate": [-40, 40], "scale": [0.8, 1.2],
                                    "translate_px": [-6, 6], "p": 1.0},
                                   {"__class_fullname__": "HorizontalFlip", "p": 1.0},
                                   {"__class_fullname__": "RandomSizedCrop", "min_max_height": [50, 80],
                                    "size": [64, 72], "p": 1.0},
                                   {"__class_fullname__": "Perspective", "p": 1.0})");
    instaug::Input in = camera_frame();
    in.keypoints_per_row.clear();  // free points: none dies with a row
    for (uint64_t call = 0; call < 8; ++call) {
        const instaug::Result out = pipeline.run(in, call);
        REQUIRE(out.geometry.invertible());
        CHECK(out.geometry.output_size() == cv::Size(72, 64));
        REQUIRE(out.keypoints.rows == 3);
        CHECK(largest_difference(out.geometry.map_keypoints(in.keypoints), out.keypoints) < 1e-3);
        CHECK(largest_difference(out.geometry.unmap_keypoints(out.keypoints), in.keypoints) < 1e-3);
    }
}

TEST_CASE("a step without a 3x3 map ends the way back, and says which") {
    auto pipeline = pipeline_of(R"({"__class_fullname__": "GridDistortion", "p": 1.0})");
    const instaug::Result out = pipeline.run(camera_frame(), 0);
    CHECK_FALSE(out.geometry.invertible());
    CHECK(out.geometry.not_invertible_reason().find("GridDistortion") != std::string::npos);
    CHECK_THROWS_AS(out.geometry.unmap_boxes(out.boxes), std::logic_error);
}

TEST_CASE("pixel transforms leave the identity") {
    auto pipeline = pipeline_of(R"({"__class_fullname__": "Blur", "p": 1.0})");
    const instaug::Result out = pipeline.run(camera_frame(), 0);
    CHECK(cv::norm(cv::Mat(out.geometry.forward()), cv::Mat(cv::Matx33d::eye())) == 0);
}
