// instaug's C++ API: load a pipeline saved by Python's A.save, run it on images with their objects
// (boxes, masks, keypoints), and map what a network finds on the result back to the input image.
//
//   instaug::Compose pipeline = instaug::Compose::load("letterbox.json");
//   instaug::Input input;
//   input.image = cv::imread("street.jpg");
//   instaug::Result result = pipeline(input);
//   cv::Mat tensor = instaug::to_planar(result.image);               // C x H x W float32
//   cv::Mat boxes = result.geometry.unmap_boxes(detections);          // back on street.jpg
#pragma once

#include "instaug/compose.hpp"
#include "instaug/geometry.hpp"
#include "instaug/sample.hpp"
#include "instaug/version.hpp"
