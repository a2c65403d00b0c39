/* crash.h - kill points for the tests of a send's crash safety.
 *
 * With MLDIGEST_CRASH_AT=NAME in the environment, the program kills
 * itself with SIGKILL when it reaches the point NAME: nothing is flushed,
 * nothing cleaned up, exactly as a power cut or the OOM killer would
 * leave it.  The points of a send, in order (send.h):
 *
 *   queue-write  the outbox file half written, not synced or renamed
 *   queued       in the outbox, before the SMTP transaction
 *   accepted     the server accepted, before the index records it
 *   recorded     recorded, before archive_dir and the outbox clean-up
 *   archived     archive_dir written, before the outbox clean-up
 */
#pragma once

void md_crash_point (const char *name);
