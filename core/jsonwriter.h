// A streaming JSON writer: keys in the order written, numbers in their
// shortest round-trip form, non-finite numbers as null. Large outputs (the
// attention of a whole dataset) go to the file as they are produced; or into
// a string (the attention views' exports).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class JsonWriter {
public:
    // pretty: one object member per line, indented; arrays stay on one line.
    JsonWriter(std::FILE *out, bool pretty);
    // Appends to *out instead of a file.
    JsonWriter(std::string *out, bool pretty);

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();
    void key(std::string_view name);

    void value(std::string_view text);
    void value(const char *text) { value(std::string_view(text)); }
    void value(double number);
    void value(float number);
    void value(int64_t number);
    void value(int number) { value(int64_t(number)); }
    void value(bool flag);
    void value(const std::optional<double> &number);
    void null();
    // A value that is JSON text already (an object kept as JSON elsewhere).
    void verbatim(std::string_view json);
    template <class T>
    void array(const std::vector<T> &values)
    {
        array(values.data(), values.size());
    }
    template <class T>
    void array(const T *values, size_t count)
    {
        beginArray();
        for (size_t i = 0; i < count; ++i)
            value(values[i]);
        endArray();
    }

    // Ends the document with a newline. False when writing failed.
    bool finish();

private:
    void beforeValue();
    void raw(std::string_view text);
    void newline(size_t depth);

    struct Level {
        bool object = false;
        int count = 0;
    };
    std::FILE *m_out = nullptr;
    std::string *m_string = nullptr;
    bool m_pretty;
    bool m_afterKey = false;
    std::vector<Level> m_stack;
};

// text as a JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD.
std::string jsonString(std::string_view text);

} // namespace attnscope
