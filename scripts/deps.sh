# Sourced by quickstart.sh and test.sh: installs the Debian packages Sluice needs.
# Skips apt entirely when every package is already installed (CI reruns, dev machines).

SLUICE_BUILD_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  libboost-dev libboost-system-dev libtbb-dev libyaml-cpp-dev prometheus-cpp-dev libjemalloc-dev
  libsimdjson-dev zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev librdkafka-dev
  libcli11-dev libspdlog-dev libfmt-dev libssl-dev openssl libre2-dev
)
SLUICE_TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev
  kcat python3-kafka python3-confluent-kafka prometheus prometheus-alertmanager
  clang libclang-rt-14-dev golang-go golang-github-shopify-sarama-dev chromium
)

sluice_install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "installing: ${missing[*]}"
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}
