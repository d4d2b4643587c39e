#!/bin/sh
# What `make cpp-test-arm64` needs to cross-build the C++ tests for aarch64 and run them under
# qemu, installed when missing; does nothing when all is there, so the target calls it every time.
#
#   scripts/arm64_deps.sh ROOT
#
# On the host (apt-get, root): the cross compiler, qemu's user-mode emulator, cmake, and the
# header-only nlohmann-json and doctest (the host's serve both architectures).
#
# OpenCV's arm64 libraries go into ROOT, a private arm64 tree (Debian's packages unpacked with
# dpkg -x), not into the host through multiarch: libopencv-imgcodecs-dev:arm64 cannot be installed
# beside the host's libopencv-imgcodecs-dev (it needs libgdcm-dev, libgdal32, libarmadillo11,
# libogdi4.1 and libhdf4-0-alt, which are not Multi-Arch: same), so apt would remove the host's
# OpenCV to install it, and the native build would break. ROOT is also a whole arm64 runtime
# (libc included), so qemu runs the tests with `-L ROOT`.
set -eu

root=${1:?usage: arm64_deps.sh ROOT}
case $root in /*) ;; *) root=$PWD/$root ;; esac  # apt takes Dir:: paths as absolute
arch=arm64
triplet=aarch64-linux-gnu
opencv="libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-photo-dev"

missing=""
need() {  # need FILE PACKAGE: PACKAGE is missing when FILE is
    [ -e "$1" ] || missing="$missing $2"
}
need /usr/bin/$triplet-g++ g++-$triplet
need /usr/bin/qemu-aarch64-static qemu-user-static
need /usr/include/nlohmann/json.hpp nlohmann-json3-dev
need /usr/include/doctest/doctest.h doctest-dev
command -v cmake > /dev/null || missing="$missing cmake"

have_root() { [ -f "$root/.complete" ]; }
[ -z "$missing" ] && have_root && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "arm64_deps.sh: run as root (apt-get), or install$missing and build $root yourself" >&2
    exit 1
fi

# apt must know arm64 packages to download them; deb.debian.org serves them from the host's sources.
lists_updated=""
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "adding dpkg architecture $arch"
    dpkg --add-architecture "$arch"
fi
if ! apt-cache show "libopencv-core406:$arch" > /dev/null 2>&1; then
    apt-get update -qq
    lists_updated=1
fi

if [ -n "$missing" ]; then
    echo "installing$missing"
    [ -n "$lists_updated" ] || apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

if ! have_root; then
    echo "unpacking arm64 OpenCV and its dependencies into $root"
    rm -rf "$root"
    mkdir -p "$root/apt/archives/partial" "$root/apt/cache"
    : > "$root/apt/status"
    # apt resolves the packages as on an arm64 machine with nothing installed (its own empty dpkg
    # status, the host's package lists), so the download holds the whole dependency closure.
    # shellcheck disable=SC2086
    apt-get -qq -o APT::Architecture=$arch -o APT::Architectures::=$arch \
        -o Dir::State::status="$root/apt/status" -o Dir::Cache="$root/apt/cache" \
        -o Dir::Cache::archives="$root/apt/archives" -o Debug::NoLocking=1 \
        --no-install-recommends --download-only -y install $opencv
    for deb in "$root"/apt/archives/*.deb; do
        dpkg -x "$deb" "$root"
    done
    rm -rf "$root/apt"
    # BLAS and LAPACK are chosen by update-alternatives in their postinst, which dpkg -x does not
    # run: the reference implementations are linked where the loader looks.
    for lib in "$root/usr/lib/$triplet"/blas/lib*.so.* "$root/usr/lib/$triplet"/lapack/lib*.so.*; do
        [ -e "$root/usr/lib/$triplet/${lib##*/}" ] || ln -s "${lib#"$root/usr/lib/$triplet/"}" "$root/usr/lib/$triplet/"
    done
    touch "$root/.complete"
fi
