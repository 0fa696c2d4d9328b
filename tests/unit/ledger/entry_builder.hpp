// Test helper shared by the ledger tests: builds an Entry field by field.
#pragma once

#include <optional>
#include <string>

#include "ledger/entry.hpp"

namespace edgevpn::ledger {

// Field by field because designated initializers trip -Wmissing-field-initializers.
inline Entry make_entry(std::string value, std::string owner = "", uint64_t version = 0,
                        int64_t updated_at = 0, bool deleted = false,
                        std::optional<util::Bytes> sig = std::nullopt) {
  Entry entry;
  entry.value = std::move(value);
  entry.owner = std::move(owner);
  entry.version = version;
  entry.updated_at = updated_at;
  entry.deleted = deleted;
  entry.sig = std::move(sig);
  return entry;
}

}  // namespace edgevpn::ledger
