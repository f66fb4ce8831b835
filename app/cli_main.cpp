// attnscope-cli: train, evaluate and inspect models without the GUI.
// Exit codes: 0 success, 1 a file, dataset or checkpoint problem, 2 a usage error.
#include "cli.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

namespace {

const char *const usage =
    "Usage: attnscope-cli COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  train      train a model on a dataset and write a checkpoint\n"
    "  eval       score a checkpoint on a split of a dataset\n"
    "  attention  write a checkpoint's attention on a text or dataset as JSON\n"
    "  explain    five explanation scores per token and how faithful each is, as JSON\n"
    "  bench      time training steps of the core\n"
    "  summary    what a dataset holds: splits, classes, vocabulary or feature ranges, lengths\n"
    "  session    list the runs of a session file, or export a run's curves\n"
    "\n"
    "'attnscope-cli COMMAND --help' lists a command's options; docs/cli.md has examples.\n";

int run(const std::vector<std::string> &args)
{
    using namespace attnscope;
    if (args.empty()) {
        std::fputs(usage, stderr);
        return ExitUsage;
    }
    const std::string &command = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h") {
        std::fputs(usage, stdout);
        return ExitOk;
    }
    if (command == "help" && !rest.empty()) {  // "help train" = "train --help"
        std::vector<std::string> help{rest[0], "--help"};
        return run(help);
    }
    if (command == "--version") {
        std::printf("attnscope-cli %s\n", ATTNSCOPE_VERSION);
        return ExitOk;
    }
    if (command == "train")
        return cli::train(rest);
    if (command == "eval")
        return cli::eval(rest);
    if (command == "attention")
        return cli::attention(rest);
    if (command == "explain")
        return cli::explain(rest);
    if (command == "bench")
        return cli::bench(rest);
    if (command == "summary")
        return cli::summary(rest);
    if (command == "session")
        return cli::session(rest);
    throw UsageError("attnscope-cli: unknown command '" + command
                     + "' (the commands are train, eval, attention, explain, bench, summary and session; see attnscope-cli --help)");
}

int runCatching(const std::vector<std::string> &args)
{
    using namespace attnscope;
    try {
        return run(args);
    } catch (const UsageError &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return ExitUsage;
    } catch (const cli::Failure &e) {
        std::fprintf(stderr, "attnscope-cli: error: %s\n", e.what());
        return ExitFailure;
    } catch (const std::bad_alloc &) {
        std::fprintf(stderr, "attnscope-cli: error: %s\n", cli::outOfMemoryMessage().c_str());
        return ExitFailure;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "attnscope-cli: error: %s\n", e.what());
        return ExitFailure;
    } catch (...) {
        std::fprintf(stderr, "attnscope-cli: error: unexpected failure\n");
        return ExitFailure;
    }
}

} // namespace

// Whatever went to standard output must have arrived: a full disk or
// /dev/full is an error (exit 1), not a silent loss. The stream's error flag
// stays set from the first write that failed; the flush sends the rest. (A
// train run still writes its checkpoint first.) A reader that went away
// (`train ... | head`, a pager quit early) is the same case: SIGPIPE is
// ignored, so the write fails with EPIPE instead of killing a run before
// its checkpoint.
int main(int argc, char **argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    const int code = runCatching(std::vector<std::string>(argv + 1, argv + argc));
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    const int error = errno;
    if (code != attnscope::ExitOk || (flushed && !std::ferror(stdout)))
        return code;  // a failure has said what it was
    std::fprintf(stderr, "attnscope-cli: error: standard output: could not write%s%s\n", error ? ": " : "",
                 error ? std::strerror(error) : "");
    return attnscope::ExitFailure;
}
