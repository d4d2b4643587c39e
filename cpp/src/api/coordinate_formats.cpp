#include "api/coordinate_formats.hpp"

#include <cmath>
#include <stdexcept>

#include "core/math_constants.hpp"

namespace instaug {
namespace {

constexpr double kTwoPi = 2.0 * kPi;

struct NamedBoxFormat {
    const char* name;
    BoxFormat format;
};
constexpr NamedBoxFormat kBoxFormats[] = {{"coco", BoxFormat::Coco},
                                          {"pascal_voc", BoxFormat::PascalVoc},
                                          {"albumentations", BoxFormat::Albumentations},
                                          {"yolo", BoxFormat::Yolo},
                                          {"cxcywh", BoxFormat::Cxcywh}};

struct NamedKeypointFormat {
    const char* name;
    KeypointFormat format;
    int columns[5];  // column of x, y, z, angle, scale in the format; -1: absent
};
constexpr NamedKeypointFormat kKeypointFormats[] = {
    {"xy", KeypointFormat::XY, {0, 1, -1, -1, -1}},     {"yx", KeypointFormat::YX, {1, 0, -1, -1, -1}},
    {"xya", KeypointFormat::XYA, {0, 1, -1, 2, -1}},    {"xys", KeypointFormat::XYS, {0, 1, -1, -1, 2}},
    {"xyas", KeypointFormat::XYAS, {0, 1, -1, 2, 3}},   {"xysa", KeypointFormat::XYSA, {0, 1, -1, 3, 2}},
    {"xyz", KeypointFormat::XYZ, {0, 1, 2, -1, -1}}};

template <class Table>
std::string names_of(const Table& table) {
    std::string out = "[";
    for (const auto& entry : table) out += std::string(out.size() > 1 ? ", '" : "'") + entry.name + "'";
    return out + "]";
}

const NamedKeypointFormat& entry_of(KeypointFormat format) {
    for (const auto& entry : kKeypointFormats)
        if (entry.format == format) return entry;
    throw std::logic_error("unknown keypoint format");
}

// Python's % for floats: the result takes the divisor's sign.
double python_mod(double a, double b) {
    const double r = std::fmod(a, b);
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

}  // namespace

BoxFormat box_format(const std::string& name) {
    for (const auto& entry : kBoxFormats)
        if (name == entry.name) return entry.format;
    throw std::invalid_argument("BboxParams: coord_format must be one of " + names_of(kBoxFormats) + ", got '" +
                                name + "'");
}

KeypointFormat keypoint_format(const std::string& name) {
    for (const auto& entry : kKeypointFormats)
        if (name == entry.name) return entry.format;
    throw std::invalid_argument("KeypointParams: coord_format must be one of " + names_of(kKeypointFormats) +
                                ", got '" + name + "'");
}

int keypoint_width(KeypointFormat format) { return static_cast<int>(std::string(entry_of(format).name).size()); }

std::array<double, 4> box_to_absolute(const double* box, BoxFormat format, int height, int width) {
    std::array<double, 4> b{box[0], box[1], box[2], box[3]};
    switch (format) {
        case BoxFormat::PascalVoc: break;
        case BoxFormat::Coco:
            b[2] += b[0];
            b[3] += b[1];
            break;
        case BoxFormat::Albumentations:
            b[0] *= width; b[2] *= width;
            b[1] *= height; b[3] *= height;
            break;
        case BoxFormat::Yolo:
        case BoxFormat::Cxcywh: {
            if (format == BoxFormat::Yolo) {
                b[0] *= width; b[2] *= width;
                b[1] *= height; b[3] *= height;
            }
            const double cx = b[0], cy = b[1], w = b[2], h = b[3];
            b = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
            break;
        }
    }
    return b;
}

std::array<float, 4> box_from_absolute(const std::array<double, 4>& box, BoxFormat format, int height, int width) {
    std::array<double, 4> b = box;
    switch (format) {
        case BoxFormat::PascalVoc: break;
        case BoxFormat::Coco:
            b[2] -= b[0];
            b[3] -= b[1];
            break;
        case BoxFormat::Albumentations:
            b[0] /= width; b[2] /= width;
            b[1] /= height; b[3] /= height;
            break;
        case BoxFormat::Yolo:
        case BoxFormat::Cxcywh: {
            const double x1 = b[0], y1 = b[1], x2 = b[2], y2 = b[3];
            b = {(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1};
            if (format == BoxFormat::Yolo) {
                b[0] /= width; b[2] /= width;
                b[1] /= height; b[3] /= height;
            }
            break;
        }
    }
    return {static_cast<float>(b[0]), static_cast<float>(b[1]), static_cast<float>(b[2]), static_cast<float>(b[3])};
}

void keypoint_to_internal(const double* point, KeypointFormat format, bool angle_in_degrees, double* internal) {
    const auto& columns = entry_of(format).columns;
    for (int i = 0; i < 5; ++i) internal[i] = columns[i] < 0 ? 0.0 : point[columns[i]];
    // np.radians multiplies by pi / 180.
    if (angle_in_degrees) internal[3] = internal[3] * (kPi / 180.0);
    internal[3] = python_mod(internal[3], kTwoPi);
}

void keypoint_from_internal(const double* internal, KeypointFormat format, bool angle_in_degrees, float* point) {
    double angle = python_mod(internal[3], kTwoPi);
    if (angle_in_degrees) angle = angle * (180.0 / kPi);
    const auto& columns = entry_of(format).columns;
    for (int i = 0; i < 5; ++i)
        if (columns[i] >= 0) point[columns[i]] = static_cast<float>(i == 3 ? angle : internal[i]);
}

}  // namespace instaug
