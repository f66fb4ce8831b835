// Attention from outside models: a streaming reader for the two JSON forms,
// a .npy reader and a reader for the stored members of a .npz, all feeding
// one set of checks (assemble); attentionfileparts.h lists the files each
// is in. docs/attention.md, "Attention from a file", is the user's
// description of the formats and the rules.
#include "attentionfile.h"
#include "attentionfileparts.h"

#include "fileutil.h"
#include "utf8.h"

#include <QFile>

#include <charconv>

namespace attnscope {

const char *toString(AttentionFileFormat format)
{
    switch (format) {
    case AttentionFileFormat::Json: return "JSON";
    case AttentionFileFormat::Npy: return "NumPy .npy";
    case AttentionFileFormat::Npz: return "NumPy .npz";
    }
    return "?";
}

std::string npyTokensPath(const std::string &npyPath)
{
    const size_t slash = npyPath.rfind('/');
    const size_t dot = npyPath.rfind('.');
    const bool hasExtension = dot != std::string::npos && dot > (slash == std::string::npos ? 0 : slash + 1);
    return (hasExtension ? npyPath.substr(0, dot) : npyPath) + ".tokens.json";
}

namespace attentionfile {

// "900 bytes", "12 KiB", "256 MiB".
std::string sizeText(double bytes)
{
    const char *unit = " bytes";
    if (bytes >= double(1 << 20)) {
        bytes /= double(1 << 20);
        unit = " MiB";
    } else if (bytes >= 1024) {
        bytes /= 1024;
        unit = " KiB";
    }
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, bytes, std::chars_format::fixed, 0);
    return std::string(buffer, r.ptr) + unit;
}

std::string overBudget(const Budget &budget)
{
    return "holds more than " + sizeText(double(budget.limit()))
           + ", the most attention read from one file (save fewer samples, layers or tokens)";
}

bool validUtf8(const std::string &s) { return utf8::invalidUtf8(s) == std::string_view::npos; }

std::string inQuotes(const std::string &s) { return "'" + s + "'"; }

} // namespace attentionfile

bool readAttentionFile(const std::string &path, AttentionFile *out, std::string *error, const AttentionFileLimits &limits)
{
    using namespace attentionfile;
    auto fail = [&](const std::string &what) {
        if (error) *error = what;
        return false;
    };
    if (std::string problem = notRegularFile(path); !problem.empty()) return fail(problem);
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) return fail(path + ": cannot open: " + file.errorString().toStdString());
    const int64_t size = file.size();
    if (size == 0) return fail(path + ": an empty file");
    if (size > limits.maxFileBytes)
        return fail(path + ": " + sizeText(double(size)) + ", more than the " + sizeText(double(limits.maxFileBytes))
                    + " an attention file may have");
    const QByteArray start = file.peek(6);
    Budget budget(limits.maxBytes);
    std::vector<RawSample> raw;
    AttentionFileFormat format = AttentionFileFormat::Json;
    if (start.startsWith("\x93NUMPY")) {
        format = AttentionFileFormat::Npy;
        if (std::string problem = readNpy(&file, path, limits, &budget, &raw); !problem.empty()) return fail(problem);
    } else if (start.startsWith("PK\x03\x04") || start.startsWith("PK\x05\x06")) {
        format = AttentionFileFormat::Npz;
        if (std::string problem = readNpz(&file, path, &budget, &raw); !problem.empty()) return fail(problem);
    } else {
        if (std::string problem = readJson(&file, path, &budget, &raw); !problem.empty()) return fail(problem);
    }
    std::string problem = assemble(std::move(raw), path, format, limits, out);
    return problem.empty() || fail(problem);
}

} // namespace attnscope
