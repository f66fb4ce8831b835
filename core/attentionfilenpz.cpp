// The zip around a .npz (numpy.savez): its central directory (zip64
// included), each stored member's bytes and CRC-32, and the sample made of
// its "tokens", "attention" and "pooling_<task>" arrays. numpy.savez stores
// the members as they are; numpy.savez_compressed deflates them, which this
// reader refuses (Qt Core has no raw inflate, and zlib would be a new
// dependency).
#include "attentionfileparts.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <utility>

namespace attnscope::attentionfile {

namespace {

// CRC-32 (zip's, reflected 0xEDB88320).
struct Crc32Table {
    std::array<uint32_t, 256> t{};
    constexpr Crc32Table()
    {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
    }
};
constexpr Crc32Table crcTable;

} // namespace

uint32_t crc32(uint32_t crc, const char *data, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; ++i)
        crc = crcTable.t[(crc ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

namespace {

uint16_t le16(const char *p) { return qFromLittleEndian<quint16>(p); }
uint32_t le32(const char *p) { return qFromLittleEndian<quint32>(p); }
uint64_t le64(const char *p) { return qFromLittleEndian<quint64>(p); }

struct ZipMember {
    std::string name;
    uint64_t headerOffset = 0;    // of its local header
    uint64_t compressedSize = 0, size = 0;
    uint32_t crc = 0;
    uint16_t method = 0, flags = 0;
};

constexpr int64_t MaxCentralDirectory = int64_t(1) << 20;  // 15,000 members of numpy.savez

bool readAt(QFile *file, int64_t offset, char *to, int64_t n)
{
    return offset >= 0 && file->seek(offset) && file->read(to, n) == n;
}

// The members listed in the zip's central directory (zip64 included, as
// numpy.savez writes it); nothing of their data is read.
std::string readZipDirectory(QFile *file, std::vector<ZipMember> *members)
{
    const int64_t size = file->size();
    // The end record: 22 bytes and a comment of at most 65535, at the end.
    const int64_t tail = std::min<int64_t>(size, 22 + 65535);
    std::vector<char> end(size_t(tail), '\0');
    if (tail < 22 || !readAt(file, size - tail, end.data(), tail)) return "not a zip file (no end record)";
    int64_t at = -1;
    for (int64_t i = tail - 22; i >= 0; --i) {
        if (le32(end.data() + i) == 0x06054b50 && i + 22 + le16(end.data() + i + 20) <= tail) {
            at = i;
            break;
        }
    }
    if (at < 0) return "not a zip file (no end record)";
    const char *e = end.data() + at;
    if (le16(e + 4) != 0 || le16(e + 6) != 0) return "a zip split over several disks";
    uint64_t entries = le16(e + 10), directorySize = le32(e + 12), directoryOffset = le32(e + 16);
    if (entries == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF) {
        // zip64: a locator just before the end record points at the zip64 end record.
        const int64_t locator = size - tail + at - 20;
        char l[20], z[56];
        if (locator < 0 || !readAt(file, locator, l, 20) || le32(l) != 0x07064b50) return "a zip64 file without its locator";
        if (!readAt(file, int64_t(std::min<uint64_t>(le64(l + 8), uint64_t(size))), z, 56) || le32(z) != 0x06064b50)
            return "a zip64 file without its end record";
        entries = le64(z + 32);
        directorySize = le64(z + 40);
        directoryOffset = le64(z + 48);
    }
    if (directorySize > uint64_t(MaxCentralDirectory) || directoryOffset > uint64_t(size)
        || directorySize > uint64_t(size) - directoryOffset)
        return "a zip whose directory lies outside the file";
    std::vector<char> directory(size_t(directorySize), '\0');
    if (!readAt(file, int64_t(directoryOffset), directory.data(), int64_t(directorySize)))
        return "cannot read the zip's directory";
    size_t p = 0;
    for (uint64_t k = 0; k < entries; ++k) {
        if (p + 46 > directory.size() || le32(directory.data() + p) != 0x02014b50)
            return "a damaged zip directory (entry " + std::to_string(k) + ")";
        const char *c = directory.data() + p;
        ZipMember m;
        m.flags = le16(c + 8);
        m.method = le16(c + 10);
        m.crc = le32(c + 16);
        m.compressedSize = le32(c + 20);
        m.size = le32(c + 24);
        const size_t nameLength = le16(c + 28), extraLength = le16(c + 30), commentLength = le16(c + 32);
        m.headerOffset = le32(c + 42);
        if (p + 46 + nameLength + extraLength + commentLength > directory.size())
            return "a damaged zip directory (entry " + std::to_string(k) + ")";
        m.name.assign(c + 46, nameLength);
        // The zip64 extra field holds, in this order, the sizes and the offset
        // whose 32-bit fields are 0xFFFFFFFF.
        for (size_t x = 0; x + 4 <= extraLength;) {
            const char *field = c + 46 + nameLength + x;
            const size_t fieldLength = le16(field + 2);
            if (x + 4 + fieldLength > extraLength) break;
            if (le16(field) == 0x0001) {
                size_t q = 4;
                for (uint64_t *value : {&m.size, &m.compressedSize, &m.headerOffset}) {
                    if (*value != 0xFFFFFFFF) continue;
                    if (q + 8 > 4 + fieldLength) return "a damaged zip64 field (entry " + std::to_string(k) + ")";
                    *value = le64(field + q);
                    q += 8;
                }
            }
            x += 4 + fieldLength;
        }
        members->push_back(std::move(m));
        p += 46 + nameLength + extraLength + commentLength;
    }
    return {};
}

// Where member m's stored bytes are: after its local header.
std::string memberData(QFile *file, const ZipMember &m, ByteRange *out)
{
    const std::string name = "member " + inQuotes(m.name) + ": ";
    if (m.flags & 1) return name + "encrypted";
    if (m.method == 8)
        return name + "compressed (numpy.savez_compressed deflates its arrays, which AttnScope does not read): "
                      "save it with numpy.savez";
    if (m.method != 0) return name + "compressed (zip method " + std::to_string(m.method) + "): save it with numpy.savez";
    if (m.compressedSize != m.size) return name + "a stored member whose two sizes differ";
    char h[30];
    const int64_t size = file->size();
    if (m.headerOffset > uint64_t(size) || !readAt(file, int64_t(m.headerOffset), h, 30) || le32(h) != 0x04034b50)
        return name + "its local header is not where the directory says";
    const uint64_t begin = m.headerOffset + 30 + le16(h + 26) + le16(h + 28);
    if (begin > uint64_t(size) || m.size > uint64_t(size) - begin) return name + "its data runs past the end of the file";
    *out = ByteRange(file, int64_t(begin), int64_t(m.size));
    return {};
}

// A member read whole: its CRC-32 checked once every byte went through.
std::string checkCrc(const ZipMember &m, const ByteRange &in)
{
    if (in.left() != 0 || in.crc() != m.crc)
        return "member " + inQuotes(m.name) + ": its CRC-32 does not match its data: the file is damaged";
    return {};
}

} // namespace

// A .npz: "tokens", "attention" (optional when there is pooling) and
// "pooling_<task>" members, one sample.
std::string readNpz(QFile *file, const std::string &path, Budget *budget, std::vector<RawSample> *samples)
{
    std::vector<ZipMember> members;
    if (std::string problem = readZipDirectory(file, &members); !problem.empty()) return path + ": " + problem;
    const ZipMember *tokens = nullptr, *attention = nullptr;
    std::vector<const ZipMember *> pooling;
    std::vector<std::string> names;
    for (const ZipMember &m : members) {
        names.push_back(m.name);
        if (m.name == "tokens.npy") tokens = &m;
        else if (m.name == "attention.npy") attention = &m;
        else if (m.name.rfind("pooling_", 0) == 0 && m.name.size() > 12 && m.name.compare(m.name.size() - 4, 4, ".npy") == 0)
            pooling.push_back(&m);
    }
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end())
        return path + ": member " + inQuotes(*std::adjacent_find(names.begin(), names.end())) + " is there twice";
    if (!attention && pooling.empty())
        return path + ": no 'attention' (nor 'pooling_<task>') array: name the arrays, as in "
                      "np.savez(path, attention=attention, tokens=np.array(tokens, dtype=str))";
    if (!tokens) return path + ": no 'tokens' array: add tokens=np.array(tokens, dtype=str) to np.savez";
    if (!budget->take(SampleBytes)) return path + ": " + overBudget(*budget);

    RawSample s;
    // Each member: where its bytes are, its .npy header, then its data.
    const auto open = [&](const ZipMember &m, ByteRange *in, NpyArray *a) -> std::string {
        if (std::string problem = memberData(file, m, in); !problem.empty()) return path + ": " + problem;
        if (std::string problem = readNpyHeader(in, a); !problem.empty())
            return path + ": member " + inQuotes(m.name) + ": " + problem;
        return {};
    };
    ByteRange in(file, 0, 0);
    NpyArray a;
    if (std::string problem = open(*tokens, &in, &a); !problem.empty()) return problem;
    if (std::string problem = readStrings(&in, a, budget, &s.sample.tokens); !problem.empty())
        return path + ": member 'tokens.npy': " + problem;
    if (std::string problem = checkCrc(*tokens, in); !problem.empty()) return path + ": " + problem;
    s.hasTokens = true;
    if (attention) {
        if (std::string problem = open(*attention, &in, &a); !problem.empty()) return problem;
        if (a.kind == 'f' && !a.shape.empty() && uint64_t(a.shape.back()) != s.sample.tokens.size())
            return path + ": its 'attention' has maps of " + std::to_string(a.shape.back()) + " x "
                   + std::to_string(a.shape.back()) + " but 'tokens' has " + std::to_string(s.sample.tokens.size());
        if (std::string problem = readMaps(&in, a, budget, &s.sample.selfAttention); !problem.empty())
            return path + ": member 'attention.npy': " + problem;
        if (std::string problem = checkCrc(*attention, in); !problem.empty()) return path + ": " + problem;
    }
    for (const ZipMember *m : pooling) {
        NamedWeights task;
        task.task = m->name.substr(8, m->name.size() - 12);
        if (!validUtf8(task.task)) return path + ": member " + inQuotes(m->name) + ": its name is not valid UTF-8";
        if (!budget->take(TokenBytes + task.task.size())) return path + ": " + overBudget(*budget);
        if (std::string problem = open(*m, &in, &a); !problem.empty()) return problem;
        if (std::string problem = readVector(&in, a, budget, &task.weights); !problem.empty())
            return path + ": member " + inQuotes(m->name) + ": " + problem;
        if (std::string problem = checkCrc(*m, in); !problem.empty()) return path + ": " + problem;
        s.pooling.push_back(std::move(task));
    }
    samples->push_back(std::move(s));
    return {};
}

} // namespace attnscope::attentionfile
