// flagctl schema: prints the JSON Schema of the registry or of the runtime file, for editors.
#include <iostream>

#include "command.hpp"
#include "schema_text.hpp"

namespace flagctl {
namespace {

int schema(const Invocation& inv) {
    const auto& which = inv.positionals({"registry|runtime"})[0];
    if (which == "registry") std::cout << registry_schema_text;
    else if (which == "runtime") std::cout << runtime_schema_text;
    else throw UsageError("unknown schema '" + which + "': choose registry or runtime");
    return 0;
}

}  // namespace

const Command schema_command{
    .name = "schema",
    .summary = "the JSON Schema of the registry or the runtime file, for editors",
    .usage = "flagctl schema registry|runtime",
    .help = "Prints the JSON Schema (draft-04) of a registry file or of a runtime file: every key, its type,\n"
            "range and allowed values, with the descriptions an editor shows on hover. Editors that read\n"
            "TOML with schemas (Even Better TOML, Taplo) use it through a first line such as\n"
            "#:schema ./registry.schema.json. The same files are installed under share/flagstone/.\n"
            "A schema cannot see the registry from the runtime file: flagctl check stays the authority.\n"
            "\n"
            "example:\n"
            "  $ flagctl schema registry > flags/registry.schema.json\n"
            "  $ head -3 flags/registry.toml\n"
            "  #:schema ./registry.schema.json\n"
            "  # The flag registry: every flag this code base may read, checked in and reviewed like code.\n"
            "  # flagc compiles it into C++ on every build; a flag that is not here does not compile.\n",
    .options = {},
    .run = schema,
};

}  // namespace flagctl
