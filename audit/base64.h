// Standard base64 (RFC 4648 section 4, with padding), as DSSE uses for payloads and
// signatures.
#ifndef PRIVET_AUDIT_BASE64_H_
#define PRIVET_AUDIT_BASE64_H_

#include <string>
#include <string_view>

namespace privet::audit {

std::string Base64Encode(std::string_view bytes);
// Throws IntegrityError when the text is not valid padded base64.
std::string Base64Decode(std::string_view text);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_BASE64_H_
