// DescribeUserScramCredentials (API 50) and AlterUserScramCredentials (API 51)
// on the broker's CredentialStore. Clients send the salted password (Hi of the
// password), never the password; the broker derives StoredKey and ServerKey.
// Changes take effect for the next login without a restart.
#pragma once

#include <string>

#include "broker/messages/alter_user_scram_credentials.h"
#include "broker/messages/describe_user_scram_credentials.h"

namespace sluice::broker {
namespace sasl {
class CredentialStore;
}

// The answers to decoded requests (the handlers in broker/handlers/ decode and
// encode). `store` may be null (no SASL/SCRAM listener): every user is unknown
// and every change fails. `principal` names who altered credentials in the log.
messages::DescribeUserScramCredentialsResponse DescribeUserScramCredentials(
    const messages::DescribeUserScramCredentialsRequest& req, sasl::CredentialStore* store);
messages::AlterUserScramCredentialsResponse AlterUserScramCredentials(
    const messages::AlterUserScramCredentialsRequest& req, const std::string& principal, sasl::CredentialStore* store);

}  // namespace sluice::broker
