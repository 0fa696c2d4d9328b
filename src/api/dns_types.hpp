// DNS resource-record type names and codes as miekg/dns spells them (TypeToString /
// StringToType): the dns bucket stores records keyed by decimal type code, the API shows names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgevpn::api {

// miekg's dns.Type(code).String(): the mnemonic ("A", "AAAA"), or "TYPE<code>" when unknown.
std::string dns_type_name(uint16_t code);
// The code of a mnemonic (ASCII case-insensitive) or of the generic "TYPE<code>" form; nullopt
// for anything else.
std::optional<uint16_t> dns_type_code(std::string_view name);

}  // namespace edgevpn::api
