/* lang.h - the languages reports are written in.
 *
 * Templates (render.c) and the built-in summariser's sentence frames
 * (summarise.c) exist for Chinese and English.
 */
#pragma once
#include <glib.h>

/* The canonical name for S: "zh", "zh_CN", "zh-CN" -> "zh-CN"; "en",
 * "en_US" -> "en"; NULL S -> "zh-CN" (the default); NULL when
 * unsupported.  Static string. */
const char *md_lang_canonical (const char *s);
