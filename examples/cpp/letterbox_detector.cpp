// Inference-side preprocessing with instaug: load the pipeline a Python user saved with A.save
// (letterbox to the network's input size, normalise), run it on a camera image, hand the network
// its planar float32 tensor, and map what the network found back onto the camera image.
//
//   letterbox_detector PIPELINE.json IMAGE [NETWORK_INPUT.png]
//
// The "network" here is a stand-in that finds the largest bright blob on its input, so the example
// runs anywhere; the box it reports is in network-input pixels, as a detector's would be.
#include <cstdio>
#include <exception>
#include <vector>

#include <instaug/instaug.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

// The stand-in network: the bounding box (x_min, y_min, x_max, y_max) of the largest bright blob
// of the planar input's first channel.
cv::Mat detect(const cv::Mat& planar) {
    const cv::Mat first(planar.size[1], planar.size[2], CV_32F, const_cast<float*>(planar.ptr<float>()));
    cv::Mat bright;
    cv::threshold(first, bright, 0.0, 255, cv::THRESH_BINARY);
    bright.convertTo(bright, CV_8U);
    std::vector<std::vector<cv::Point>> blobs;
    cv::findContours(bright, blobs, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::Mat boxes(0, 4, CV_32F);
    double largest = 0;
    for (const auto& blob : blobs) {
        const double area = cv::contourArea(blob);
        if (area <= largest) continue;
        largest = area;
        const cv::Rect r = cv::boundingRect(blob);
        boxes = (cv::Mat_<float>(1, 4) << r.x, r.y, r.x + r.width, r.y + r.height);
    }
    return boxes;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s PIPELINE.json IMAGE [NETWORK_INPUT.png]\n", argv[0]);
        return 2;
    }
    try {
        instaug::Compose pipeline = instaug::Compose::load(argv[1]);
        instaug::Input input;
        input.image = cv::imread(argv[2], cv::IMREAD_COLOR);
        if (input.image.empty()) throw std::runtime_error(std::string("cannot read the image ") + argv[2]);
        cv::cvtColor(input.image, input.image, cv::COLOR_BGR2RGB);

        const instaug::Result result = pipeline(input);
        const cv::Mat tensor = instaug::to_planar(result.image);
        const instaug::Geometry& geometry = result.geometry;
        std::printf("instaug %s: %s\n", instaug::version(), argv[1]);
        std::printf("camera image %dx%d -> network input %dx%dx%d (planar float32)\n", input.image.cols,
                    input.image.rows, tensor.size[0], tensor.size[1], tensor.size[2]);
        const cv::Matx33d& m = geometry.forward();
        std::printf("forward map: x' = %.4f x + %.4f, y' = %.4f y + %.4f\n", m(0, 0), m(0, 2), m(1, 1), m(1, 2));

        const cv::Mat found = detect(tensor);
        if (found.empty()) {
            std::printf("the network found nothing\n");
            return 0;
        }
        const cv::Mat on_camera = geometry.unmap_boxes(found);
        std::printf("network box  [%.1f, %.1f, %.1f, %.1f] (network input pixels)\n", found.at<float>(0, 0),
                    found.at<float>(0, 1), found.at<float>(0, 2), found.at<float>(0, 3));
        std::printf("camera box   [%.1f, %.1f, %.1f, %.1f] (camera image pixels)\n", on_camera.at<float>(0, 0),
                    on_camera.at<float>(0, 1), on_camera.at<float>(0, 2), on_camera.at<float>(0, 3));
        if (argc > 3) {
            cv::Mat shown;
            cv::normalize(result.image, shown, 0, 255, cv::NORM_MINMAX, CV_8U);
            cv::cvtColor(shown, shown, cv::COLOR_RGB2BGR);
            cv::imwrite(argv[3], shown);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
