// A strict JSON (RFC 8259) parser for one JSON Lines record, into a small
// tree. QJsonDocument would do, but it turns every number into a double, and
// MODEL.md 7 reads a numeric label as its JSON text: the label 1.50 is the
// class "1.50", not "1.5". It also reports errors at a byte offset the reader
// turns into a column, never recurses deeper than 256 levels (a hostile file
// cannot overflow the stack), holds at most MaxJsonValues values (load.h; a
// value costs about 100 bytes here, so a 60 MB line of [0,0,...] took 3 GB),
// and keeps strings in UTF-8, which is what the core stores.
//
// attentionfile.cpp has a second JSON reader, one that streams a file of
// attention maps into floats and never builds a tree; docs/datasets.md
// ("Where the code is") says why the two stay apart. Both decode a string's
// escapes with decodeJsonEscape (jsonescape.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

struct Json {
    enum Type : uint8_t { Null, Bool, Number, String, Array, Object };
    Type type = Null;
    bool boolean = false;
    std::string text;              // String: decoded UTF-8; Number: the literal as written
    std::vector<Json> items;       // Array: elements; Object: values, in file order
    std::vector<std::string> keys; // Object: keys, keys[i] names items[i]
    size_t offset = 0;             // the byte of the text where the value starts (for a line in a message)

    // The value of a key; with duplicates the last one wins, as in Python's json.
    const Json *find(std::string_view key) const
    {
        for (size_t i = keys.size(); i-- > 0;)
            if (keys[i] == key) return &items[i];
        return nullptr;
    }
};

// Per item of an object, whether it is the one find() returns for its key
// (with duplicates, the last), in time linear in the keys: readers that go
// through every item skip the others. (Calling find() for each item was
// quadratic: a line of 160,000 label keys took 20 s.)
std::vector<bool> lastOfEachKey(const Json &object);

// "null", "a boolean", "a number", "a string", "an array", "an object".
const char *typeName(const Json &value);

// One value with only white space around it; text must be valid UTF-8 (the
// reader checks the line first). False with *error (what was wrong) and
// *errorOffset (the byte where it was found).
bool parseJson(std::string_view text, Json *out, std::string *error, size_t *errorOffset);

// A JSON number with an integral value of at most 9e15 (a span bound); false
// for anything else.
bool jsonInteger(const Json &value, int64_t *out);

} // namespace attnscope
