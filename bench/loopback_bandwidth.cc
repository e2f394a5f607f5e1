// loopback_bandwidth: the TCP limit the broker numbers are compared with — one
// sender thread writing 64 KiB buffers to one receiver over 127.0.0.1.
//
//   loopback_bandwidth [MiB, default 2048]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const size_t total = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2048) << 20;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("listen");
    return 1;
  }
  std::thread sender([&] {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    std::vector<char> buf(64 * 1024, 'x');
    for (size_t sent = 0; sent < total;) {
      const ssize_t n = write(fd, buf.data(), buf.size());
      if (n <= 0) std::abort();
      sent += static_cast<size_t>(n);
    }
    close(fd);
  });
  int conn = accept(listener, nullptr, nullptr);
  std::vector<char> buf(64 * 1024);
  size_t received = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (ssize_t n; (n = read(conn, buf.data(), buf.size())) > 0;) received += static_cast<size_t>(n);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sender.join();
  close(conn);
  close(listener);
  std::printf("loopback TCP: %zu MiB in %.3f s = %.1f MB/s\n", received >> 20, seconds, received / seconds / 1e6);
  return 0;
}
