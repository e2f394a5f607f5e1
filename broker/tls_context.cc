#include "broker/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

namespace sluice::broker {
namespace {

namespace ssl = boost::asio::ssl;

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const TlsOptions& o) {
  if (o.cert_file.empty() || o.key_file.empty()) {
    return InvalidArgument("TLS listeners need --tls-cert and --tls-key");
  }
  if (o.client_auth != TlsOptions::ClientAuth::kNone && o.ca_file.empty()) {
    return InvalidArgument("--tls-client-auth needs --tls-ca (the CAs client certificates must chain to)");
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, o.cert_file.c_str()) != 1) {
    return InvalidArgument("--tls-cert " + o.cert_file + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(native, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // The key file's contents are never echoed; OpenSSL's reason names no secret.
    return InvalidArgument("--tls-key " + o.key_file + ": " + OpenSslError());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("--tls-key " + o.key_file + " does not match --tls-cert " + o.cert_file);
  }
  if (!o.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, o.ca_file.c_str(), nullptr) != 1) {
      return InvalidArgument("--tls-ca " + o.ca_file + ": " + OpenSslError());
    }
    // Tell clients which CAs we accept.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
  }
  int mode = SSL_VERIFY_NONE;
  if (o.client_auth == TlsOptions::ClientAuth::kRequested) mode = SSL_VERIFY_PEER;
  if (o.client_auth == TlsOptions::ClientAuth::kRequired) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(native, mode, nullptr);
  static const unsigned char kSessionContext[] = "sluice";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  return ctx;
}

std::string PeerCertificatePrincipal(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return "";
  std::string out;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    out = "User:" + std::string(data, static_cast<size_t>(n));
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

}  // namespace sluice::broker
