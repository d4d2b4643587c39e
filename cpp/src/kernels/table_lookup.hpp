// One 256-entry byte table applied to every byte of a run: out[i] = table[in[i]].
#pragma once
#include <cstddef>
#include <cstdint>

namespace instaug {

// True when lookup_bytes has a vector path on this CPU (else callers keep OpenCV's cv::LUT).
bool lookup_bytes_vectorised();

// AVX-512 VBMI: four two-register byte permutes per 64 bytes select from the table's four
// quarters, several times faster than cv::LUT's per-byte loads. `in` and `out` may be the same.
void lookup_bytes(const uint8_t* in, uint8_t* out, std::size_t n, const uint8_t* table);

}  // namespace instaug
