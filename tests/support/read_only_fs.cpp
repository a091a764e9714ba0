// Preloaded into rpad by the fault test (LD_PRELOAD): while the file that RPA_FAULT_READ_ONLY
// names exists, every write to a file in its directory fails with EROFS, as it does once the
// kernel remounts a file system read-only after an error. A test cannot remount a real mount
// read-only while rpad holds its database open for writing (EBUSY), so it fails the calls.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool refused(int fd) {
  static const char* flag = std::getenv("RPA_FAULT_READ_ONLY");
  if (!flag || ::access(flag, F_OK) != 0) return false;
  char link[32];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char path[PATH_MAX];
  const ssize_t n = ::readlink(link, path, sizeof path - 1);
  if (n < 0) return false;
  path[n] = '\0';
  const char* slash = std::strrchr(flag, '/');
  const size_t dir = slash ? static_cast<size_t>(slash - flag) : 0;
  return std::strncmp(path, flag, dir) == 0 && path[dir] == '/';
}

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" ssize_t write(int fd, const void* buf, size_t n) {
  static auto next = real<ssize_t (*)(int, const void*, size_t)>("write");
  if (refused(fd)) return errno = EROFS, -1;
  return next(fd, buf, n);
}

extern "C" ssize_t pwrite(int fd, const void* buf, size_t n, off_t at) {
  static auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (refused(fd)) return errno = EROFS, -1;
  return next(fd, buf, n, at);
}

extern "C" ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t at) {
  static auto next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (refused(fd)) return errno = EROFS, -1;
  return next(fd, buf, n, at);
}
