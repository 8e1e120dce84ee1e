/*
 * k8ts pause: the process that holds a pod sandbox's namespaces open.
 *
 * It does nothing but wait. As PID 1 of the pod's PID namespace it also reaps any orphaned
 * children that get re-parented to it. SIGTERM or SIGINT ends it with status 0. Signals are
 * blocked and taken synchronously with sigwaitinfo(), which also makes them deliverable to
 * a namespace's init process (the kernel drops default-action signals sent to PID 1).
 *
 * Build: gcc -static -Os -o pause pause.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap_children(void) {
  for (;;) {
    pid_t pid = waitpid(-1, NULL, WNOHANG);
    if (pid > 0) continue;          /* reaped one; look for more */
    if (pid < 0 && errno == EINTR) continue;
    return;                         /* none left (0) or no children at all (ECHILD) */
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
    puts("k8ts pause 1.0");
    return 0;
  }

  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGTERM);
  sigaddset(&wanted, SIGINT);
  sigaddset(&wanted, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &wanted, NULL) != 0) {
    perror("pause: sigprocmask");
    return 1;
  }

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&wanted, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      perror("pause: sigwaitinfo");
      return 1;
    }
    if (sig == SIGCHLD) {
      reap_children();
      continue;
    }
    /* SIGTERM or SIGINT: the sandbox is being stopped. */
    reap_children();
    return 0;
  }
}
