// DescribeUserScramCredentials (API 50) and AlterUserScramCredentials (API 51)
// on the broker's CredentialStore. Clients send the salted password (Hi of the
// password), never the password; the broker derives StoredKey and ServerKey.
// Changes take effect for the next login without a restart.
#pragma once

#include "broker/api.h"
#include "broker/wire.h"

namespace sluice::broker {
namespace sasl {
class CredentialStore;
}

void DescribeUserScramCredentials(const RequestContext& ctx, Reader& r, const Respond& respond,
                                  sasl::CredentialStore* store);
void AlterUserScramCredentials(const RequestContext& ctx, Reader& r, const Respond& respond,
                               sasl::CredentialStore* store);

}  // namespace sluice::broker
