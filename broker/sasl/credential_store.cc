#include "broker/sasl/credential_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace sluice::broker::sasl {

Status ValidateUserName(const std::string& name) {
  if (name.empty() || name.size() > 255) return InvalidArgument("a user name has 1 to 255 characters");
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7f) return InvalidArgument("a user name may not contain spaces or control characters");
  }
  return Status::Ok();
}

CredentialStore::CredentialStore(std::filesystem::path data_dir) {
  if (!data_dir.empty()) file_ = FileOf(data_dir);
}

std::filesystem::path CredentialStore::FileOf(const std::filesystem::path& data_dir) {
  return data_dir / "security" / "users";
}

Status CredentialStore::Load() {
  if (file_.empty()) return Status::Ok();
  std::ifstream in(file_);
  if (!in) {
    if (!std::filesystem::exists(file_)) {
      std::lock_guard lock(mu_);
      users_.clear();
      return Status::Ok();
    }
    return IoError("cannot read " + file_.string());
  }
  std::map<std::string, std::map<ScramMechanism, ScramCredential>> users;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, mechanism, salt, stored, server;
    int iterations = 0;
    fields >> name >> mechanism >> iterations >> salt >> stored >> server;
    auto m = ParseMechanism(mechanism);
    auto s = Base64Decode(salt), st = Base64Decode(stored), sv = Base64Decode(server);
    if (!fields || !m || !s || !st || !sv || iterations < kMinIterations || !ValidateUserName(name).ok()) {
      return Corruption(file_.string() + ":" + std::to_string(number) + ": not a credential line");
    }
    users[name][*m] = ScramCredential{*m, iterations, *s, *st, *sv};
  }
  std::lock_guard lock(mu_);
  users_ = std::move(users);
  return Status::Ok();
}

std::optional<ScramCredential> CredentialStore::Get(const std::string& user, ScramMechanism m) const {
  std::lock_guard lock(mu_);
  auto u = users_.find(user);
  if (u == users_.end()) return std::nullopt;
  auto c = u->second.find(m);
  if (c == u->second.end()) return std::nullopt;
  return c->second;
}

Status CredentialStore::Upsert(const std::string& user, const ScramCredential& c) {
  RETURN_IF_ERROR(ValidateUserName(user));
  if (c.iterations < kMinIterations || c.iterations > kMaxIterations) {
    return InvalidArgument("iterations must be between " + std::to_string(kMinIterations) + " and " +
                           std::to_string(kMaxIterations));
  }
  std::lock_guard lock(mu_);
  auto before = users_;
  users_[user][c.mechanism] = c;
  Status st = SaveLocked();
  if (!st.ok()) users_ = std::move(before);
  return st;
}

Status CredentialStore::Remove(const std::string& user, std::optional<ScramMechanism> m) {
  std::lock_guard lock(mu_);
  auto u = users_.find(user);
  if (u == users_.end() || (m && !u->second.contains(*m))) {
    return NotFound("no " + (m ? std::string(MechanismName(*m)) + " " : std::string()) + "credential for user " +
                    user);
  }
  auto before = users_;
  if (m) {
    u->second.erase(*m);
    if (u->second.empty()) users_.erase(u);
  } else {
    users_.erase(u);
  }
  Status st = SaveLocked();
  if (!st.ok()) users_ = std::move(before);
  return st;
}

std::map<std::string, std::map<ScramMechanism, int>> CredentialStore::List() const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::map<ScramMechanism, int>> out;
  for (const auto& [name, creds] : users_) {
    for (const auto& [m, c] : creds) out[name][m] = c.iterations;
  }
  return out;
}

Status CredentialStore::SaveLocked() const {
  if (file_.empty()) return Status::Ok();
  const auto dir = file_.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("creating " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  std::string text = "# sluice SCRAM credentials: user mechanism iterations salt stored-key server-key (base64)\n";
  for (const auto& [name, creds] : users_) {
    for (const auto& [m, c] : creds) {
      text += name + " " + std::string(MechanismName(m)) + " " + std::to_string(c.iterations) + " " +
              Base64Encode(c.salt) + " " + Base64Encode(c.stored_key) + " " + Base64Encode(c.server_key) + "\n";
    }
  }
  const auto tmp = file_.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("open", tmp, errno);
  ::fchmod(fd, 0600);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("fsync", tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), file_.c_str()) != 0) return ErrnoStatus("rename", file_.string(), errno);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace sluice::broker::sasl
