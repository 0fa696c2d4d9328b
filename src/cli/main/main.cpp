// Entry point of the edgevpn binary.
#include <malloc.h>

#include <string>
#include <vector>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  // Stream data moves in 64 KiB chunks that are allocated and freed at line rate. glibc would
  // hand freed heap tops back to the kernel at 128 KiB and fault the pages in again on the next
  // allocation; keeping up to 16 MiB of free heap (and serving blocks up to 1 MiB from it)
  // removes those page faults from the data path.
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
  std::vector<std::string> args(argv + 1, argv + argc);
  return edgevpn::cli::run_cli(std::move(args));
}
