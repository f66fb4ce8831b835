// Checks of the files a user names, and the whole-file writer (fileutil.h).
//
// POSIX throughout: what a path is (stat follows links, lstat does not), and
// writes whose every error is seen. Qt's QSaveFile is not used for
// checkpoints: it renames over whatever the target is (a device node too),
// and its temporaries (<target>.XXXXXX) cannot be told from a user's
// model.safetensors.backup, so a stale one could never be cleaned safely.
#include "fileutil.h"

#include <QRandomGenerator>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attnscope {

namespace {

namespace fs = std::filesystem;

const char *const TemporaryMarker = ".attnscope-tmp-";
constexpr size_t TemporarySuffix = 6;

std::string errorText(int error) { return std::strerror(error); }

// path with its symbolic links followed as far as they lead (the last one may
// name nothing yet). Gives up after 40 links, as the kernel does.
std::string followLinks(const std::string &path)
{
    std::string current = path;
    for (int depth = 0; depth < 40; ++depth) {
        struct stat st;
        if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return current;
        char target[PATH_MAX];
        const ssize_t n = ::readlink(current.c_str(), target, sizeof target - 1);
        if (n <= 0) return current;
        const fs::path next(std::string(target, size_t(n)));
        current = next.is_absolute() ? next.string() : (fs::path(current).parent_path() / next).string();
    }
    return current;
}

const char *kindOf(mode_t mode)
{
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
}

// "is a character device" or "links to /dev/zero, a character device".
std::string whatItIs(const std::string &path, mode_t mode)
{
    const std::string target = followLinks(path);
    if (target != path) return "links to " + target + ", " + kindOf(mode);
    return std::string("is ") + kindOf(mode);
}

std::string directoryOf(const std::string &path)
{
    const fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// Empty when a new file can be made in the directory of path (links followed).
std::string checkDirectory(const std::string &path)
{
    const std::string dir = directoryOf(followLinks(path));
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0)
        return path + ": cannot write: the directory " + dir
               + (errno == ENOENT ? std::string(" does not exist") : ": " + errorText(errno));
    if (!S_ISDIR(st.st_mode)) return path + ": cannot write: " + dir + " is not a directory";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return path + ": cannot write in the directory " + dir + ": " + errorText(errno);
    return {};
}

// A path relative to nothing, its directory's links resolved: two names of
// one file that does not exist yet give the same string.
std::string absoluteName(const std::string &path)
{
    const fs::path target(followLinks(path));
    std::error_code ec;
    fs::path dir = fs::absolute(target.parent_path().empty() ? fs::path(".") : target.parent_path(), ec);
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    if (!ec) dir = canonical;
    return (dir / target.filename()).lexically_normal().string();
}

std::string randomSuffix()
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string s(TemporarySuffix, 'x');
    for (char &c : s) c = letters[QRandomGenerator::global()->bounded(int(sizeof letters - 1))];
    return s;
}

std::string temporaryPath(const std::string &dir, const std::string &name)
{
    return dir + "/." + name + TemporaryMarker + randomSuffix();
}

// Temporaries of name that a crash left in dir (regular files only; links,
// directories and every other name are left alone).
void removeStaleTemporaries(const std::string &dir, const std::string &name)
{
    DIR *d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent *entry = ::readdir(d)) {
        if (!isTemporaryFileOf(entry->d_name, name)) continue;
        const std::string path = dir + "/" + entry->d_name;
        struct stat st;
        if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(path.c_str());
    }
    ::closedir(d);
}

} // namespace

std::string notRegularFile(const std::string &path)
{
    struct stat st;
    if (path.empty() || ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return {};
    return path + ": " + whatItIs(path, st.st_mode) + ", not a regular file";
}

std::string checkOutputFile(const std::string &path, OutputMode mode)
{
    if (path.empty()) return "an empty file name";
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) return path + ": " + errorText(errno);
        return checkDirectory(path);  // nothing there yet (or a link to nothing)
    }
    const bool special = S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode);
    if (S_ISDIR(st.st_mode)) return path + ": " + whatItIs(path, st.st_mode) + ", not a file";
    if (!S_ISREG(st.st_mode) && !(special && mode == OutputMode::Stream))
        return path + ": " + whatItIs(path, st.st_mode) + ", not a regular file"
               + (special ? " (saving would replace it with one)" : "");
    if (::access(path.c_str(), W_OK) != 0) return path + ": cannot write: " + errorText(errno);
    if (S_ISREG(st.st_mode) && mode == OutputMode::Replace) return checkDirectory(path);
    return {};
}

bool sameFile(const std::string &a, const std::string &b)
{
    struct stat sa, sb;
    const bool hasA = ::stat(a.c_str(), &sa) == 0, hasB = ::stat(b.c_str(), &sb) == 0;
    if (hasA && hasB) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return hasA == hasB && absoluteName(a) == absoluteName(b);
}

bool isTemporaryFileOf(const std::string &name, const std::string &target)
{
    const std::string prefix = "." + target + TemporaryMarker;
    if (name.size() != prefix.size() + TemporarySuffix || name.compare(0, prefix.size(), prefix) != 0)
        return false;
    for (size_t i = prefix.size(); i < name.size(); ++i) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    }
    return true;
}

bool writeFileAtomically(const std::string &path, const std::string &bytes, std::string *error)
{
    auto fail = [&](const std::string &what) {
        if (error) *error = what;
        return false;
    };
    if (const std::string problem = checkOutputFile(path, OutputMode::Replace); !problem.empty())
        return fail(problem);
    // As QSaveFile does: a link stays a link, the file it leads to is replaced.
    const std::string target = followLinks(path);
    const std::string dir = directoryOf(target);
    const std::string name = fs::path(target).filename().string();
    removeStaleTemporaries(dir, name);

    struct stat old;
    const bool exists = ::stat(target.c_str(), &old) == 0;
    // An unnamed file (O_TMPFILE): a crash before it is linked leaves nothing.
    // It needs /proc to be linked; without either, a named temporary.
    int fd = -1;
    std::string temporary;
    if (::access("/proc/self/fd", X_OK) == 0)
        fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
        temporary = temporaryPath(dir, name);
        fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return fail(path + ": cannot write: " + errorText(errno));
    auto discard = [&](int err) {
        ::close(fd);
        if (!temporary.empty()) ::unlink(temporary.c_str());
        return fail(path + ": cannot write: " + errorText(err));
    };
    if (exists && ::fchmod(fd, old.st_mode & 07777) != 0) return discard(errno);
    if (!writeAll(fd, bytes.data(), bytes.size()) || ::fdatasync(fd) != 0) return discard(errno);

    if (temporary.empty()) {
        // Link it in: as the target itself when there is none, else under a
        // temporary name that is then renamed over the target.
        const std::string self = "/proc/self/fd/" + std::to_string(fd);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) == 0)
            return ::close(fd) == 0 || fail(path + ": cannot write: " + errorText(errno));
        if (errno != EEXIST) return discard(errno);
        for (int attempt = 0; attempt < 16; ++attempt) {
            temporary = temporaryPath(dir, name);
            if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
            const int err = errno;
            temporary.clear();
            if (err != EEXIST) return discard(err);
        }
        if (temporary.empty()) return discard(EEXIST);
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) return discard(errno);
    if (::close(fd) != 0) return fail(path + ": cannot write: " + errorText(errno));
    return true;
}

int openOutputStream(const std::string &path, std::string *error)
{
    if (const std::string problem = checkOutputFile(path, OutputMode::Stream); !problem.empty()) {
        if (error) *error = problem;
        return -1;
    }
    // O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of waiting.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (error)
            *error = errno == ENXIO ? path + ": is a FIFO that nobody reads (start its reader first)"
                                    : path + ": cannot open for writing: " + errorText(errno);
        return -1;
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        if (error) *error = path + ": cannot open for writing: " + errorText(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

bool writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return true;
}

} // namespace attnscope
