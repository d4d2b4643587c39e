// The public API: loading files, running calls, sequences, batches and the errors a caller gets.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include <instaug/instaug.hpp>

namespace {

std::string file_with(const std::string& transforms, const std::string& extra = "") {
    return R"({"__version__": "2.5.1", "transform": {"__class_fullname__": "Compose", "transforms": [)" + transforms +
           "]" + extra + "}}";
}

const std::string kBoxes = R"(, "bbox_params": {"coord_format": "pascal_voc"}, "seed": 11)";

cv::Mat scene(int height = 96, int width = 128) {
    cv::Mat image(height, width, CV_8UC3);
    cv::randu(image, 0, 255);
    return image;
}

instaug::Input rows_input() {
    instaug::Input in;
    in.image = scene();
    in.boxes = (cv::Mat_<double>(2, 4) << 10, 10, 40, 30, 60, 20, 100, 80);
    for (int i = 0; i < 2; ++i) {
        cv::Mat mask = cv::Mat::zeros(96, 128, CV_8U);
        const cv::Rect r = i == 0 ? cv::Rect(10, 10, 30, 20) : cv::Rect(60, 20, 40, 60);
        mask(r).setTo(1);
        in.masks.push_back(mask);
    }
    in.ids = {7, 9};
    return in;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
    if (a.empty() || b.empty()) return a.empty() == b.empty();
    if (a.size != b.size || a.type() != b.type()) return false;
    return cv::norm(a.reshape(1, 1), b.reshape(1, 1), cv::NORM_INF) == 0;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the version is the header's") { CHECK(std::string(instaug::version()) == INSTAUG_VERSION_STRING); }

TEST_CASE("a call index gives the same result whatever came before; calls differ") {
    auto pipeline = instaug::Compose::from_string(
        file_with(R"({"__class_fullname__": "Affine", "rotate": [-30, 30], "p": 1.0},
                     {"__class_fullname__": "HueSaturationValue", "p": 1.0})",
                  kBoxes));
    const instaug::Input in = rows_input();
    const instaug::Result first = pipeline.run(in, 3);
    const instaug::Result again = pipeline.run(in, 3);
    const instaug::Result other = pipeline.run(in, 4);
    CHECK(same(first.image, again.image));
    CHECK(same(first.boxes, again.boxes));
    CHECK_FALSE(same(first.image, other.image));
    CHECK(pipeline.seed() == 11);
    CHECK(pipeline.transform_names() == std::vector<std::string>{"Affine", "HueSaturationValue"});
    CHECK(first.applied == std::vector<std::string>{"Affine", "HueSaturationValue"});
}

TEST_CASE("operator() takes the next call; set_random_seed restarts the sequence") {
    auto pipeline = instaug::Compose::from_string(
        file_with(R"({"__class_fullname__": "RandomCrop", "height": 40, "width": 50, "p": 1.0})", kBoxes));
    const instaug::Input in = rows_input();
    const instaug::Result zero = pipeline(in);
    const instaug::Result one = pipeline(in);
    CHECK(pipeline.calls() == 2);
    CHECK(same(zero.image, pipeline.run(in, 0).image));
    CHECK(same(one.image, pipeline.run(in, 1).image));
    pipeline.set_random_seed(11);
    CHECK(pipeline.calls() == 0);
    CHECK(same(pipeline(in).image, zero.image));
}

TEST_CASE("a batch gives what the same calls give one by one, on any number of threads") {
    auto pipeline = instaug::Compose::from_string(
        file_with(R"({"__class_fullname__": "Affine", "rotate": [-30, 30], "scale": [0.7, 1.3], "p": 1.0},
                     {"__class_fullname__": "RandomBrightnessContrast", "p": 1.0})",
                  kBoxes));
    std::vector<instaug::Input> inputs(6, rows_input());
    const std::vector<instaug::Result> two = pipeline.batch(inputs, 2);
    const std::vector<instaug::Result> three = pipeline.batch(inputs, 3);
    REQUIRE(two.size() == 6);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const instaug::Result alone = pipeline.run(inputs[i], i);
        CHECK(same(two[i].image, alone.image));
        CHECK(same(two[i].boxes, alone.boxes));
        CHECK(two[i].ids == alone.ids);
        CHECK(same(three[i].image, pipeline.run(inputs[i], 6 + i).image));
    }
    inputs[4].boxes = inputs[4].boxes.clone();  // the copies share one buffer
    inputs[4].boxes.at<double>(1, 2) = 500;
    CHECK(message_of([&] { pipeline.batch(inputs, 2); }).rfind("calls[4]: boxes[1] = ", 0) == 0);
}

TEST_CASE("rows keep their ids and masks follow their boxes") {
    auto pipeline = instaug::Compose::from_string(
        file_with(R"({"__class_fullname__": "HorizontalFlip", "p": 1.0},
                     {"__class_fullname__": "Crop", "x_min": 0, "y_min": 0, "x_max": 70, "y_max": 96})",
                  kBoxes));
    const instaug::Result out = pipeline.run(rows_input(), 0);
    // The flip moves row 7 (x 10..40) to x 88..118, outside the crop: only row 9 is left.
    REQUIRE(out.ids == std::vector<int64_t>{9});
    CHECK(out.sources[0].row == 1);
    CHECK(out.sources[0].key.empty());
    REQUIRE(out.masks.size() == 1);
    CHECK(out.boxes.at<float>(0, 0) == 28);
    CHECK(out.boxes.at<float>(0, 2) == 68);
    const cv::Rect tight = cv::boundingRect(out.masks[0]);
    CHECK(tight == cv::Rect(28, 20, 40, 60));
}

TEST_CASE("the result never shares the caller's pixels") {
    auto pipeline = instaug::Compose::from_string(file_with(R"({"__class_fullname__": "NoOp"})"));
    instaug::Input in;
    in.image = scene();
    const cv::Mat before = in.image.clone();
    instaug::Result out = pipeline.run(in, 0);
    out.image.setTo(0);
    CHECK(same(in.image, before));
}

TEST_CASE("bad input is std::invalid_argument naming the argument, as Python says it") {
    auto pipeline = instaug::Compose::from_string(file_with(R"({"__class_fullname__": "NoOp"})", kBoxes));
    instaug::Input in = rows_input();
    in.image = cv::Mat(96, 128, CV_64FC3, cv::Scalar::all(0));
    CHECK(message_of([&] { pipeline.run(in, 0); }) == "image must be uint8 or float32, got dtype float64");
    in = rows_input();
    in.boxes.at<double>(1, 2) = 130.5;
    CHECK(message_of([&] { pipeline.run(in, 0); }) ==
          "boxes[1] = [60.0, 20.0, 130.5, 80.0] lies outside the 128x96 image; use "
          "BboxParams(clip_bboxes_on_input=True) to clip or filter_invalid_bboxes=True to drop it");
    in = rows_input();
    in.masks[1] = cv::Mat::zeros(90, 128, CV_8U);
    CHECK(message_of([&] { pipeline.run(in, 0); }) == "masks[1] must be (96, 128) or (96, 128, 1), got shape (90, 128)");
    in = rows_input();
    in.masks.pop_back();
    CHECK(message_of([&] { pipeline.run(in, 0); }) == "masks: one per row expected, got 1 for 2 rows");
    in = rows_input();
    in.keypoints = cv::Mat::zeros(2, 2, CV_32F);
    CHECK(message_of([&] { pipeline.run(in, 0); }) == "keypoints need keypoint_params in the pipeline file");
    in = instaug::Input();
    CHECK(message_of([&] { pipeline.run(in, 0); }).rfind("pass an image", 0) == 0);
}

TEST_CASE("a bad file names the place in it") {
    CHECK(message_of([] { instaug::Compose::from_string(file_with(R"({"__class_fullname__": "Blur", "foo": 1})")); }) ==
          "transform.transforms[0]: Blur: unknown argument 'foo'");
    CHECK(message_of([] { instaug::Compose::from_string(file_with(R"({"__class_fullname__": "NoSuchThing"})")); })
              .find("NoSuchThing") != std::string::npos);
    CHECK(message_of([] { instaug::Compose::from_string("{not json"); }).rfind("a pipeline file must be JSON", 0) == 0);
    CHECK(message_of([] {
              instaug::Compose::from_string(file_with(R"({"__class_fullname__": "OneOf", "transforms": [
                  {"__class_fullname__": "Lambda", "__name__": "mine", "p": 1.0}]})"));
          }) == "transform.transforms[0].transforms[0]: Lambda is a transform written in Python: the C++ API cannot run it");
    CHECK(message_of([] {
              instaug::Compose::from_string(file_with("", R"(, "bbox_params": {"coord_format": "xywh"})"));
          }) == "BboxParams: coord_format must be one of ['coco', 'pascal_voc', 'albumentations', 'yolo', "
               "'cxcywh'], got 'xywh'");
    CHECK_THROWS_AS(instaug::Compose::load("/nonexistent/pipeline.json"), std::runtime_error);
}

TEST_CASE("load reads what from_string reads") {
    const std::string path = "instaug_test_pipeline.json";
    std::ofstream(path) << file_with(R"({"__class_fullname__": "VerticalFlip", "p": 1.0})", kBoxes);
    auto pipeline = instaug::Compose::load(path);
    std::remove(path.c_str());
    const instaug::Result out = pipeline.run(rows_input(), 0);
    CHECK(out.boxes.at<float>(0, 1) == 66);
}

TEST_CASE("to_planar lays channels out one after another") {
    cv::Mat image(2, 3, CV_8UC3);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(x, 10 + y, 100);
    const cv::Mat planar = instaug::to_planar(image);
    REQUIRE(planar.dims == 3);
    CHECK(planar.size[0] == 3);
    const float* p = planar.ptr<float>();
    CHECK(p[0 * 6 + 1 * 3 + 2] == 2);
    CHECK(p[1 * 6 + 1 * 3 + 2] == 11);
    CHECK(p[2 * 6 + 0] == 100);
}
