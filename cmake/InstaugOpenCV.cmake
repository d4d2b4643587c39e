# OpenCV (core, imgproc, imgcodecs, photo) as the target instaug::opencv: through OpenCV's own CMake
# package where one exists (conda, Homebrew, vcpkg, a source build, Debian's libopencv-dev), else
# Debian's headers and libraries found directly (libopencv-imgproc-dev ships no CMake package).
# The build and every consumer of the installed instaug run this file, so paths are found on the
# machine that links, never written into the package.
if(TARGET instaug::opencv)
  return()
endif()
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs photo)
add_library(instaug::opencv INTERFACE IMPORTED)
if(OpenCV_FOUND)
  set_target_properties(instaug::opencv PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${OpenCV_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "opencv_core;opencv_imgproc;opencv_imgcodecs;opencv_photo")
  message(STATUS "instaug: OpenCV ${OpenCV_VERSION} from its CMake package (${OpenCV_DIR})")
  return()
endif()
find_path(INSTAUG_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
set(_instaug_opencv_libraries)
set(_instaug_opencv_missing)
foreach(_module core imgproc imgcodecs photo)
  find_path(INSTAUG_OPENCV_${_module}_HEADER opencv2/${_module}.hpp PATH_SUFFIXES opencv4)
  find_library(INSTAUG_OPENCV_${_module}_LIBRARY opencv_${_module})
  if(NOT INSTAUG_OPENCV_${_module}_HEADER OR NOT INSTAUG_OPENCV_${_module}_LIBRARY)
    list(APPEND _instaug_opencv_missing ${_module})
  endif()
  list(APPEND _instaug_opencv_libraries ${INSTAUG_OPENCV_${_module}_LIBRARY})
endforeach()
if(NOT INSTAUG_OPENCV_INCLUDE_DIR OR _instaug_opencv_missing)
  message(FATAL_ERROR
    "OpenCV C++ (${_instaug_opencv_missing}) not found: neither OpenCV's CMake package (set OpenCV_DIR) nor "
    "Debian's packages. Install them: apt-get install libopencv-imgproc-dev libopencv-imgcodecs-dev "
    "libopencv-photo-dev  (or run `make deps`).")
endif()
set_target_properties(instaug::opencv PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${INSTAUG_OPENCV_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${_instaug_opencv_libraries}")
message(STATUS "instaug: OpenCV from its headers and libraries (${INSTAUG_OPENCV_INCLUDE_DIR})")
