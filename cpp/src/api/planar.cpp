#include <stdexcept>

#include "instaug/sample.hpp"

namespace instaug {

void write_planar(const cv::Mat& image, float* destination) {
    if (image.empty() || image.dims != 2) throw std::invalid_argument("write_planar: the image must be a non-empty 2-D cv::Mat");
    if (destination == nullptr) throw std::invalid_argument("write_planar: destination is null");
    const std::size_t plane = image.total();
    for (int c = 0; c < image.channels(); ++c) {
        cv::Mat channel;
        cv::extractChannel(image, channel, c);
        cv::Mat out(image.rows, image.cols, CV_32F, destination + c * plane);
        channel.convertTo(out, CV_32F);
    }
}

cv::Mat to_planar(const cv::Mat& image) {
    if (image.empty() || image.dims != 2) throw std::invalid_argument("to_planar: the image must be a non-empty 2-D cv::Mat");
    const int dims[3] = {image.channels(), image.rows, image.cols};
    cv::Mat out(3, dims, CV_32F);
    write_planar(image, out.ptr<float>());
    return out;
}

}  // namespace instaug
