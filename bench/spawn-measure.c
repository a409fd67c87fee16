/* Runs one command and prints "wall_ns user_us sys_us maxrss_kib exit_status" on fd 3.
 * The benchmark measures through this small launcher rather than from Python: a child
 * forked from a large process starts with that process's resident set counted in its
 * peak RSS, and the launcher's own start-up stays outside the measured interval. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: spawn-measure COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec start, end;
    pid_t pid;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0) {
        perror(argv[1]);
        return 127;
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) {
        perror("wait4");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    long long wall = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    dprintf(3, "%lld %ld %ld %ld %d\n", wall,
            (long)(usage.ru_utime.tv_sec * 1000000L + usage.ru_utime.tv_usec),
            (long)(usage.ru_stime.tv_sec * 1000000L + usage.ru_stime.tv_usec), usage.ru_maxrss, code);
    return 0;
}
