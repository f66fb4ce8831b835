// The checks of the files a user names (core/fileutil.h): inputs that are not
// regular files, outputs that must not be replaced, two names of one file,
// the whole-file writer (never over a device or FIFO, its stale temporaries
// cleaned and nothing else), and streamed outputs to a FIFO.
#include "fileutil.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

#include "specialfiles.h"
#include "wholefile.h"

using namespace attnscope;

namespace {

QString q(const std::string &s) { return QString::fromStdString(s); }

} // namespace

class TestFileUtil : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void inputsMustBeRegularFiles();
    void outputTargets();
    void sameFileComparesFiles();
    void atomicWriteNeverReplacesSpecialFiles();
    void atomicWriteFollowsLinksAndKeepsPermissions();
    void staleTemporariesAreRemovedAndNothingElse();
    void streamToFifo();
};

void TestFileUtil::inputsMustBeRegularFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("data.jsonl"), fifo = dir.filePath("fifo"), link = dir.filePath("link");
    QVERIFY(spit(file, "{}\n"));
    QVERIFY(notRegularFile(file.toStdString()).empty());
    QVERIFY(notRegularFile(dir.filePath("absent").toStdString()).empty());  // the open says why
    QCOMPARE(q(notRegularFile(dir.path().toStdString())), dir.path() + ": is a directory, not a regular file");
    QVERIFY(makeFifo(fifo));
    QCOMPARE(q(notRegularFile(fifo.toStdString())), fifo + ": is a FIFO (named pipe), not a regular file");
    QVERIFY(QFile::link(fifo, link));
    QCOMPARE(q(notRegularFile(link.toStdString())), link + ": links to " + fifo + ", a FIFO (named pipe), not a regular file");
    const QString device = dir.filePath("device");
    if (!makeNullDevice(device)) QSKIP("mknod needs root");
    QCOMPARE(q(notRegularFile(device.toStdString())), device + ": is a character device, not a regular file");
}

void TestFileUtil::outputTargets()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("m.safetensors"), fifo = dir.filePath("fifo");
    QVERIFY(spit(file, "old"));
    QVERIFY(makeFifo(fifo));
    for (OutputMode mode : {OutputMode::Replace, OutputMode::Stream}) {
        QVERIFY(checkOutputFile(file.toStdString(), mode).empty());
        QVERIFY(checkOutputFile(dir.filePath("new.csv").toStdString(), mode).empty());
        QCOMPARE(q(checkOutputFile("", mode)), QStringLiteral("an empty file name"));
        QCOMPARE(q(checkOutputFile(dir.path().toStdString(), mode)), dir.path() + ": is a directory, not a file");
        const QString nowhere = dir.filePath("no/such/dir/x.csv");
        QCOMPARE(q(checkOutputFile(nowhere.toStdString(), mode)),
                 nowhere + ": cannot write: the directory " + dir.filePath("no/such/dir") + " does not exist");
        QVERIFY(!checkOutputFile(dir.filePath("m.safetensors/x").toStdString(), mode).empty());
    }
    // A FIFO or a device is written as it is by a stream, never replaced.
    QCOMPARE(q(checkOutputFile(fifo.toStdString(), OutputMode::Replace)),
             fifo + ": is a FIFO (named pipe), not a regular file (saving would replace it with one)");
    QVERIFY(checkOutputFile(fifo.toStdString(), OutputMode::Stream).empty());
    const QString device = dir.filePath("device");
    if (!makeNullDevice(device)) QSKIP("mknod needs root");
    QVERIFY(q(checkOutputFile(device.toStdString(), OutputMode::Replace)).startsWith(device + ": is a character device"));
    QVERIFY(checkOutputFile(device.toStdString(), OutputMode::Stream).empty());
    const QString block = dir.filePath("block");
    QVERIFY(::mknod(block.toLocal8Bit().constData(), S_IFBLK | 0600, makedev(7, 0)) == 0);
    QCOMPARE(q(checkOutputFile(block.toStdString(), OutputMode::Stream)), block + ": is a block device, not a regular file");
    QCOMPARE(fileType(block), unsigned(S_IFBLK));
}

void TestFileUtil::sameFileComparesFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkdir("sub"));
    const QString a = dir.filePath("a.csv");
    QVERIFY(spit(a, "x"));
    const auto same = [](const QString &x, const QString &y) { return sameFile(x.toStdString(), y.toStdString()); };
    QVERIFY(same(a, dir.filePath("sub/../a.csv")));
    QVERIFY(QFile::link(a, dir.filePath("link.csv")));
    QVERIFY(same(a, dir.filePath("link.csv")));
    QVERIFY(::link(a.toLocal8Bit().constData(), dir.filePath("hard.csv").toLocal8Bit().constData()) == 0);
    QVERIFY(same(a, dir.filePath("hard.csv")));
    QVERIFY(spit(dir.filePath("b.csv"), "x"));
    QVERIFY(!same(a, dir.filePath("b.csv")));  // equal content, another file
    // Neither exists yet: the same name in the same directory, however spelt.
    QVERIFY(same(dir.filePath("new.csv"), dir.filePath("sub/../new.csv")));
    QVERIFY(QFile::link(dir.filePath("sub"), dir.filePath("alias")));
    QVERIFY(same(dir.filePath("sub/new.csv"), dir.filePath("alias/new.csv")));
    QVERIFY(!same(dir.filePath("new.csv"), dir.filePath("sub/new.csv")));
    QVERIFY(!same(a, dir.filePath("new.csv")));
    // Relative to the working directory.
    const QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(dir.path()));
    QVERIFY(same("a.csv", a));
    QVERIFY(same("./later.csv", dir.filePath("later.csv")));
    QDir::setCurrent(cwd);
}

void TestFileUtil::atomicWriteNeverReplacesSpecialFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fifo = dir.filePath("fifo"), link = dir.filePath("link");
    QVERIFY(makeFifo(fifo));
    QVERIFY(QFile::link(fifo, link));
    std::string error;
    for (const QString &target : {fifo, link}) {
        QVERIFY(!writeFileAtomically(target.toStdString(), "bytes", &error));
        QVERIFY2(q(error).contains("FIFO"), error.c_str());
    }
    QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
    QCOMPARE(fileType(link), unsigned(S_IFLNK));
    const QString device = dir.filePath("device");
    if (!makeNullDevice(device)) QSKIP("mknod needs root");
    QVERIFY(!writeFileAtomically(device.toStdString(), "bytes", &error));
    QVERIFY2(q(error).startsWith(device + ": is a character device"), error.c_str());
    QCOMPARE(fileType(device), unsigned(S_IFCHR));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
             (QStringList{"device", "fifo", "link"}));
}

void TestFileUtil::atomicWriteFollowsLinksAndKeepsPermissions()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("real.csv"), link = dir.filePath("link.csv");
    QVERIFY(spit(file, "old"));
    QVERIFY(::chmod(file.toLocal8Bit().constData(), 0640) == 0);
    QVERIFY(QFile::link(file, link));
    std::string error;
    QVERIFY2(writeFileAtomically(link.toStdString(), "new", &error), error.c_str());
    QCOMPARE(fileType(link), unsigned(S_IFLNK));
    QCOMPARE(slurp(file), QByteArray("new"));
    struct stat st;
    QVERIFY(::stat(file.toLocal8Bit().constData(), &st) == 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0640));
    // A new file; nothing else is left in the directory.
    QVERIFY2(writeFileAtomically(dir.filePath("fresh.csv").toStdString(), "x", &error), error.c_str());
    QCOMPARE(slurp(dir.filePath("fresh.csv")), QByteArray("x"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
             (QStringList{"fresh.csv", "link.csv", "real.csv"}));
}

void TestFileUtil::staleTemporariesAreRemovedAndNothingElse()
{
    QVERIFY(isTemporaryFileOf(".m.safetensors.attnscope-tmp-aZ09xQ", "m.safetensors"));
    QVERIFY(!isTemporaryFileOf(".m.safetensors.attnscope-tmp-aZ09x", "m.safetensors"));
    QVERIFY(!isTemporaryFileOf(".m.safetensors.attnscope-tmp-aZ09xQ7", "m.safetensors"));
    QVERIFY(!isTemporaryFileOf(".m.safetensors.attnscope-tmp-aZ-9xQ", "m.safetensors"));
    QVERIFY(!isTemporaryFileOf(".n.safetensors.attnscope-tmp-aZ09xQ", "m.safetensors"));
    QVERIFY(!isTemporaryFileOf("m.safetensors.backup", "m.safetensors"));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString target = dir.filePath("m.safetensors");
    const QStringList stale{".m.safetensors.attnscope-tmp-Ab3dE9", ".m.safetensors.attnscope-tmp-000000"};
    // Names that are not ours, or not files: QSaveFile's pattern and a backup
    // among them, which a user may well have made.
    const QStringList kept{"m.safetensors.backup", "m.safetensors.JUtZMT", ".m.safetensors.attnscope-tmp-Ab3dE",
                           ".other.safetensors.attnscope-tmp-Ab3dE9", "m.safetensors.attnscope-tmp-Ab3dE9"};
    for (const QString &name : stale + kept) QVERIFY(spit(dir.filePath(name), "keep?"));
    QVERIFY(QDir(dir.path()).mkdir(".m.safetensors.attnscope-tmp-Dir123"));
    QVERIFY(QFile::link(dir.filePath("m.safetensors.backup"), dir.filePath(".m.safetensors.attnscope-tmp-Lnk123")));
    std::string error;
    QVERIFY2(writeFileAtomically(target.toStdString(), "model", &error), error.c_str());
    for (const QString &name : stale) QVERIFY2(!QFile::exists(dir.filePath(name)), qPrintable(name));
    for (const QString &name : kept) QCOMPARE(slurp(dir.filePath(name)), QByteArray("keep?"));
    QCOMPARE(fileType(dir.filePath(".m.safetensors.attnscope-tmp-Dir123")), unsigned(S_IFDIR));
    QCOMPARE(fileType(dir.filePath(".m.safetensors.attnscope-tmp-Lnk123")), unsigned(S_IFLNK));
    QCOMPARE(slurp(target), QByteArray("model"));
}

void TestFileUtil::streamToFifo()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fifo = dir.filePath("fifo");
    QVERIFY(makeFifo(fifo));
    // Nobody reads it: refused at once, not waited for.
    std::string error;
    QCOMPARE(openOutputStream(fifo.toStdString(), &error), -1);
    QCOMPARE(q(error), fifo + ": is a FIFO that nobody reads (start its reader first)");
    // With a reader, written as it is (and still a FIFO).
    const int reader = ::open(fifo.toLocal8Bit().constData(), O_RDONLY | O_NONBLOCK);
    QVERIFY(reader >= 0);
    const int fd = openOutputStream(fifo.toStdString(), &error);
    QVERIFY2(fd >= 0, error.c_str());
    QVERIFY(writeAll(fd, "row\n", 4));
    ::close(fd);
    char buffer[16] = {};
    QCOMPARE(::read(reader, buffer, sizeof buffer), ssize_t(4));
    ::close(reader);
    QCOMPARE(QByteArray(buffer), QByteArray("row\n"));
    QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
    // A regular file is truncated.
    const QString file = dir.filePath("m.csv");
    QVERIFY(spit(file, "a long old content"));
    const int f = openOutputStream(file.toStdString(), &error);
    QVERIFY2(f >= 0, error.c_str());
    QVERIFY(writeAll(f, "new\n", 4));
    ::close(f);
    QCOMPARE(slurp(file), QByteArray("new\n"));
}

QTEST_GUILESS_MAIN(TestFileUtil)
#include "test_fileutil.moc"
