#include "safetensors.h"

#include "checkpoint.h"
#include "fileutil.h"

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace attnscope {

namespace safetensors {

namespace {

// The safetensors package refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeader = 100'000'000;

std::string rangeText(uint64_t begin, uint64_t end)
{
    // Appended piece by piece, as shapeText does: GCC 12 warns (-Wrestrict,
    // a false positive) about "[" + std::to_string(...) once it is inlined.
    std::string s = "[";
    s += std::to_string(begin);
    s += ", ";
    s += std::to_string(end);
    return s + ")";
}

// What a JSON value that is not an object is, for a message.
std::string jsonKind(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String: return "a string";
    case QJsonValue::Double: return "a number";
    case QJsonValue::Bool: return v.toBool() ? "true" : "false";
    case QJsonValue::Null: return "null";
    case QJsonValue::Array: return "a list";
    default: return "not an object";
    }
}

float loadF32(const char *p)
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    const uint32_t bits = uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16
                          | uint32_t(u[3]) << 24;
    return std::bit_cast<float>(bits);
}

void storeF32(float f, char *p)
{
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    for (int i = 0; i < 4; ++i) p[i] = char((bits >> (8 * i)) & 0xff);
}

// The header length N: the first 8 bytes, unsigned little-endian.
uint64_t headerLength(const char *p)
{
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | uint64_t(static_cast<unsigned char>(p[i]));
    return n;
}

// Why a header length n cannot be, with rest bytes after it; empty when it can.
std::string headerLengthProblem(uint64_t n, uint64_t rest)
{
    if (n > rest)
        return "header length " + std::to_string(n) + " goes beyond the end of the file ("
               + std::to_string(rest) + " bytes after the length)";
    if (n > kMaxHeader)
        return "header length " + std::to_string(n) + " exceeds the limit of "
               + std::to_string(kMaxHeader) + " bytes";
    return {};
}

// The header entry of tensor e->name: dtype F32, a shape, and data_offsets
// inside the data (dataSize bytes) that hold what the shape needs. "" or what
// is wrong.
std::string readEntry(const QJsonValue &value, uint64_t dataSize, Entry *e)
{
    if (!value.isObject()) return "header entry is not a JSON object";
    const QJsonObject info = value.toObject();

    const QJsonValue dtype = info.value(QStringLiteral("dtype"));
    if (!dtype.isString()) return "missing or non-string 'dtype'";
    if (dtype.toString() != QStringLiteral("F32"))
        return "dtype " + dtype.toString().toStdString() + " is not supported (only F32)";

    const QJsonValue shape = info.value(QStringLiteral("shape"));
    if (!shape.isArray()) return "missing or non-array 'shape'";
    uint64_t elements = 1;
    bool huge = false;
    for (const QJsonValue &dim : shape.toArray()) {
        int64_t s = 0;
        if (!readCount(dim, 0x7fffffff, &s))
            return "shape entries must be non-negative integers";
        e->shape.push_back(int(s));
        // Saturate instead of overflowing; any product above the data size is wrong anyway.
        if (s != 0 && elements > (uint64_t(1) << 62) / uint64_t(s)) huge = true;
        else elements *= uint64_t(s);
    }

    const QJsonValue offsets = info.value(QStringLiteral("data_offsets"));
    if (!offsets.isArray() || offsets.toArray().size() != 2)
        return "missing 'data_offsets' or not a pair [begin, end]";
    int64_t begin = 0, end = 0;
    if (!readCount(offsets.toArray().at(0), INT64_MAX, &begin)
        || !readCount(offsets.toArray().at(1), INT64_MAX, &end))
        return "data_offsets must be non-negative integers";
    if (begin > end)
        return "data_offsets " + rangeText(uint64_t(begin), uint64_t(end)) + " end before they begin";
    e->begin = uint64_t(begin);
    e->end = uint64_t(end);
    if (e->end > dataSize)
        return "bytes " + rangeText(e->begin, e->end) + " lie outside the data (" + std::to_string(dataSize)
               + " bytes)";
    if (huge || e->end - e->begin != elements * 4)
        return "shape " + shapeText(e->shape) + " needs " + (huge ? std::string("more") : std::to_string(elements * 4))
               + " bytes but data_offsets " + rangeText(e->begin, e->end) + " hold " + std::to_string(e->end - e->begin);
    return {};
}

// The tensors' byte ranges: contiguous, not overlapping, covering the data
// (dataSize bytes) exactly. "" or what is wrong.
std::string coverageProblem(const std::vector<Entry> &entries, uint64_t dataSize)
{
    std::vector<const Entry *> byOffset;
    for (const Entry &e : entries) byOffset.push_back(&e);
    std::sort(byOffset.begin(), byOffset.end(), [](const Entry *a, const Entry *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t covered = 0;
    const Entry *previous = nullptr;
    for (const Entry *e : byOffset) {
        if (e->begin < covered)
            return "tensors '" + previous->name + "' " + rangeText(previous->begin, previous->end) + " and '"
                   + e->name + "' " + rangeText(e->begin, e->end) + " overlap";
        if (e->begin > covered)
            return "bytes " + rangeText(covered, e->begin) + " of the data are not covered by any tensor (before tensor '"
                   + e->name + "')";
        covered = e->end;
        previous = e;
    }
    if (covered != dataSize)
        return "bytes " + rangeText(covered, dataSize) + " of the data are not covered by any tensor (after the last one)";
    return {};
}

} // namespace

std::string shapeText(const std::vector<int> &shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

// A JSON number that is a non-negative integer no larger than max.
bool readCount(const QJsonValue &v, int64_t max, int64_t *out)
{
    if (!v.isDouble()) return false;
    const double d = v.toDouble();
    if (!(d >= 0.0) || d > double(max) || d != std::floor(d)) return false;
    const qint64 i = v.toInteger(-1);
    if (i < 0 || i > max) return false;
    *out = i;
    return true;
}

void decode(const char *src, size_t count, float *dst)
{
    if (count == 0) return;  // dst may be the null data() of an empty vector
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(dst, src, count * sizeof(float));
    } else {
        for (size_t i = 0; i < count; ++i) dst[i] = loadF32(src + 4 * i);
    }
}

bool parseLayout(const std::string &bytes, const std::string &name, Layout *out, std::string *error)
{
    auto fail = [&](const std::string &what) {
        if (error) *error = name + ": " + what;
        return false;
    };
    if (bytes.size() < 8)
        return fail("file is shorter than 8 bytes (" + std::to_string(bytes.size())
                    + "), so it has no safetensors header length");
    const uint64_t n = headerLength(bytes.data());
    const uint64_t rest = bytes.size() - 8;
    if (const std::string problem = headerLengthProblem(n, rest); !problem.empty()) return fail(problem);

    QJsonParseError parseError;
    const QByteArray headerBytes(bytes.data() + 8, qsizetype(n));
    const QJsonDocument doc = QJsonDocument::fromJson(headerBytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonDocument takes only an object or a list: a header that is another JSON
        // value (a string, a number, true, false, null) is valid JSON but not an object.
        QJsonParseError wrappedError;
        const QJsonDocument wrapped
            = QJsonDocument::fromJson("[" + headerBytes + "]", &wrappedError);
        if (wrappedError.error == QJsonParseError::NoError && wrapped.array().size() == 1)
            return fail("header is not a JSON object (it is " + jsonKind(wrapped.array().at(0))
                        + ")");
        return fail("header is not valid JSON (" + parseError.errorString().toStdString()
                    + " at byte " + std::to_string(parseError.offset) + ")");
    }
    if (!doc.isObject()) return fail("header is not a JSON object (it is a list)");
    const QJsonObject header = doc.object();

    Layout layout;
    layout.data = bytes.data() + 8 + n;
    layout.dataSize = rest - n;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string key = it.key().toStdString();
        if (key == "__metadata__") {
            if (!it.value().isObject()) return fail("__metadata__ is not a JSON object");
            const QJsonObject meta = it.value().toObject();
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                if (!m.value().isString())
                    return fail("__metadata__ entry '" + m.key().toStdString()
                                + "' is not a string");
                layout.metadata[m.key().toStdString()] = m.value().toString().toStdString();
            }
            continue;
        }
        Entry e;
        e.name = key;
        if (const std::string problem = readEntry(it.value(), layout.dataSize, &e); !problem.empty())
            return fail("tensor '" + key + "': " + problem);
        layout.entries.push_back(std::move(e));
    }
    if (const std::string problem = coverageProblem(layout.entries, layout.dataSize); !problem.empty())
        return fail(problem);
    std::sort(layout.entries.begin(), layout.entries.end(),
              [](const Entry &a, const Entry &b) { return a.name < b.name; });
    *out = std::move(layout);
    return true;
}

// A checkpoint is read whole, so it must be a regular file (a device or FIFO
// such as /dev/zero could be endless), and a header length that the file
// cannot hold or that exceeds the cap is refused from the first 8 bytes,
// before the rest is read.
bool readFile(const std::string &path, std::string *bytes, std::string *error)
{
    auto fail = [&](const std::string &what) {
        if (error) *error = what;
        return false;
    };
    if (const std::string problem = notRegularFile(path); !problem.empty()) return fail(problem);
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(path + ": cannot open: " + file.errorString().toStdString());
    const QByteArray start = file.read(8);
    if (start.size() == 8) {
        const uint64_t rest = file.size() >= 8 ? uint64_t(file.size() - 8) : 0;
        const std::string problem = headerLengthProblem(headerLength(start.constData()), rest);
        if (!problem.empty()) return fail(path + ": " + problem);
    }
    std::string all(start.constData(), size_t(start.size()));
    const QByteArray rest = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(path + ": cannot read: " + file.errorString().toStdString());
    all.append(rest.constData(), size_t(rest.size()));
    *bytes = std::move(all);
    return true;
}

std::string compactJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

std::string compactJson(const QJsonArray &a)
{
    return QJsonDocument(a).toJson(QJsonDocument::Compact).toStdString();
}

std::string write(const std::vector<Tensor> &tensors, const QJsonObject &metadata)
{
    QJsonObject header;
    header.insert(QStringLiteral("__metadata__"), metadata);
    qint64 offset = 0;
    for (const Tensor &item : tensors) {
        QJsonArray shape;
        for (int s : item.shape) shape.append(s);
        QJsonObject info;
        info.insert(QStringLiteral("dtype"), QStringLiteral("F32"));
        info.insert(QStringLiteral("shape"), shape);
        const qint64 bytes = qint64(item.count) * 4;
        info.insert(QStringLiteral("data_offsets"), QJsonArray{offset, offset + bytes});
        header.insert(QString::fromStdString(item.name), info);
        offset += bytes;
    }
    std::string json = compactJson(header);
    json.append((8 - json.size() % 8) % 8, ' ');

    std::string out(8 + json.size() + size_t(offset), '\0');
    const uint64_t n = json.size();
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
    std::memcpy(out.data() + 8, json.data(), json.size());
    char *data = out.data() + 8 + json.size();
    for (const Tensor &item : tensors) {
        if (item.count == 0) continue;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(data, item.values, item.count * 4);
        } else {
            for (size_t i = 0; i < item.count; ++i) storeF32(item.values[i], data + 4 * i);
        }
        data += item.count * 4;
    }
    return out;
}

} // namespace safetensors

bool parseSafetensors(const std::string &bytes, const std::string &name, TensorFile *out,
                      std::string *error)
{
    safetensors::Layout layout;
    if (!safetensors::parseLayout(bytes, name, &layout, error)) return false;
    TensorFile file;
    file.metadata = std::move(layout.metadata);
    for (const safetensors::Entry &e : layout.entries) {
        std::vector<float> values(size_t((e.end - e.begin) / 4));
        safetensors::decode(layout.data + e.begin, values.size(), values.data());
        file.tensors[e.name] = std::move(values);
        file.shapes[e.name] = e.shape;
    }
    *out = std::move(file);
    return true;
}

bool readSafetensors(const std::string &path, TensorFile *out, std::string *error)
{
    std::string bytes;
    return safetensors::readFile(path, &bytes, error) && parseSafetensors(bytes, path, out, error);
}

} // namespace attnscope
