// The RR type table of miekg/dns (types.go), which names the dns bucket's record keys.
#include "api/dns_types.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "ledger/go_json.hpp"

namespace edgevpn::api {
namespace {

struct TypeName {
  uint16_t code;
  std::string_view name;
};

constexpr std::array kTypes = {
    TypeName{0, "None"},         TypeName{1, "A"},        TypeName{2, "NS"},
    TypeName{3, "MD"},           TypeName{4, "MF"},       TypeName{5, "CNAME"},
    TypeName{6, "SOA"},          TypeName{7, "MB"},       TypeName{8, "MG"},
    TypeName{9, "MR"},           TypeName{10, "NULL"},    TypeName{12, "PTR"},
    TypeName{13, "HINFO"},       TypeName{14, "MINFO"},   TypeName{15, "MX"},
    TypeName{16, "TXT"},         TypeName{17, "RP"},      TypeName{18, "AFSDB"},
    TypeName{19, "X25"},         TypeName{20, "ISDN"},    TypeName{21, "RT"},
    TypeName{23, "NSAPPTR"},     TypeName{24, "SIG"},     TypeName{25, "KEY"},
    TypeName{26, "PX"},          TypeName{27, "GPOS"},    TypeName{28, "AAAA"},
    TypeName{29, "LOC"},         TypeName{30, "NXT"},     TypeName{31, "EID"},
    TypeName{32, "NIMLOC"},      TypeName{33, "SRV"},     TypeName{34, "ATMA"},
    TypeName{35, "NAPTR"},       TypeName{36, "KX"},      TypeName{37, "CERT"},
    TypeName{39, "DNAME"},       TypeName{41, "OPT"},     TypeName{42, "APL"},
    TypeName{43, "DS"},          TypeName{44, "SSHFP"},   TypeName{45, "IPSECKEY"},
    TypeName{46, "RRSIG"},       TypeName{47, "NSEC"},    TypeName{48, "DNSKEY"},
    TypeName{49, "DHCID"},       TypeName{50, "NSEC3"},   TypeName{51, "NSEC3PARAM"},
    TypeName{52, "TLSA"},        TypeName{53, "SMIMEA"},  TypeName{55, "HIP"},
    TypeName{56, "NINFO"},       TypeName{57, "RKEY"},    TypeName{58, "TALINK"},
    TypeName{59, "CDS"},         TypeName{60, "CDNSKEY"}, TypeName{61, "OPENPGPKEY"},
    TypeName{62, "CSYNC"},       TypeName{63, "ZONEMD"},  TypeName{64, "SVCB"},
    TypeName{65, "HTTPS"},       TypeName{99, "SPF"},     TypeName{100, "UINFO"},
    TypeName{101, "UID"},        TypeName{102, "GID"},    TypeName{103, "UNSPEC"},
    TypeName{104, "NID"},        TypeName{105, "L32"},    TypeName{106, "L64"},
    TypeName{107, "LP"},         TypeName{108, "EUI48"},  TypeName{109, "EUI64"},
    TypeName{249, "TKEY"},       TypeName{250, "TSIG"},   TypeName{251, "IXFR"},
    TypeName{252, "AXFR"},       TypeName{253, "MAILB"},  TypeName{254, "MAILA"},
    TypeName{255, "ANY"},        TypeName{256, "URI"},    TypeName{257, "CAA"},
    TypeName{258, "AVC"},        TypeName{32768, "TA"},   TypeName{32769, "DLV"},
    TypeName{65535, "Reserved"},
};

}  // namespace

std::string dns_type_name(uint16_t code) {
  for (const auto& type : kTypes) {
    if (type.code == code) return std::string(type.name);
  }
  return "TYPE" + std::to_string(code);
}

std::optional<uint16_t> dns_type_code(std::string_view name) {
  for (const auto& type : kTypes) {
    if (ledger::equal_fold(type.name, name)) return type.code;
  }
  if (name.size() > 4 && ledger::equal_fold(name.substr(0, 4), "TYPE")) {
    std::string_view digits = name.substr(4);
    uint16_t code = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
    if (error == std::errc() && end == digits.data() + digits.size() && digits[0] != '+') {
      return code;
    }
  }
  return std::nullopt;
}

}  // namespace edgevpn::api
