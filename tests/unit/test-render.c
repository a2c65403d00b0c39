/* Unit tests: aggregate/report/render.c, render-model.c, html.c, template.c.
 *
 * Golden files: the fixed week of fixture-week.h rendered with each
 * shipped template, language and format is compared byte for byte with
 * tests/golden/render-*.  After an intended change to a template or the
 * renderer, regenerate them and review the diff:
 *
 *   MLDIGEST_REGOLDEN=1 make unit-check && git diff tests/golden
 */
#include <glib/gstdio.h>
#include <cmark-gfm.h>
#include "error.h"
#include "render.h"
#include "summarise.h"
#include "fixture-week.h"

static char *top;

/* template-glib 3.36 leaks the path of each {{include}} it resolves
 * (tmpl_lexer_next never frees what tmpl_token_include_get_path returns);
 * keep LeakSanitizer about our code.  Only ASan builds call these; the
 * full unwind lets the suppression see the library's frame. */
const char *__lsan_default_suppressions (void);
const char *__asan_default_options (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:tmpl_token_include_get_path\n";
}

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

static char *
top_path (const char *rel)
{
  return g_build_filename (top, rel, NULL);
}

static void
check_golden (const char *name, const char *got)
{
  g_autofree char *path = g_build_filename (top, "tests", "golden", name, NULL);
  g_autofree char *want = NULL;
  g_autoptr (GError) err = NULL;

  if (g_getenv ("MLDIGEST_REGOLDEN"))
    {
      g_assert_true (g_file_set_contents (path, got, -1, &err));
      g_test_message ("regenerated %s", path);
      return;
    }
  if (!g_file_get_contents (path, &want, NULL, &err))
    g_error ("%s (regenerate with MLDIGEST_REGOLDEN=1)", err->message);
  if (g_strcmp0 (want, got) != 0)
    {
      g_autofree char *gotpath = g_strconcat (path, ".got", NULL);
      g_file_set_contents (gotpath, got, -1, NULL);
      g_test_message ("%s differs: diff -u %s %s", name, path, gotpath);
    }
  g_assert_cmpstr (got, ==, want);
}

static char *
render (const MdWeek *w, const char *tmpl, const char *lang, MdFormat f)
{
  g_autofree char *dir = top_path ("templates");
  MdRenderOptions o = { .format = f, .lang = lang, .template_name = tmpl,
                        .templates_dir = dir };
  g_autoptr (GError) err = NULL;
  char *out = md_render (w, &o, &err);

  g_assert_no_error (err);
  g_assert_nonnull (out);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  return out;
}

typedef struct {
  const char *tmpl, *lang;
  MdFormat format;
  const char *golden;
} GoldenCase;

static const GoldenCase golden_cases[] = {
  { "weekly", "zh-CN", MD_FORMAT_MD, "render-weekly.zh-CN.md" },
  { "weekly", "zh-CN", MD_FORMAT_HTML, "render-weekly.zh-CN.html" },
  { "weekly", "zh-CN", MD_FORMAT_TEXT, "render-weekly.zh-CN.txt" },
  { "weekly", "en", MD_FORMAT_MD, "render-weekly.en.md" },
  { "weekly", "en", MD_FORMAT_HTML, "render-weekly.en.html" },
  { "weekly", "en", MD_FORMAT_TEXT, "render-weekly.en.txt" },
  { "update", "en", MD_FORMAT_MD, "render-update.md" },
  { "update", "en", MD_FORMAT_HTML, "render-update.html" },
  { "update", "en", MD_FORMAT_TEXT, "render-update.txt" },
};

static void
test_golden (gconstpointer data)
{
  const GoldenCase *c = data;
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *out = NULL;

  g_assert_true (md_summarise_builtin (w, c->lang, NULL));
  out = render (w, c->tmpl, c->lang, c->format);
  check_golden (c->golden, out);
}

/* The seed's section order, and the facts the seed lacks. */
static void
test_weekly_layout (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *md = NULL;
  static const char *const order[] = {
    "# KVMARM 邮件列表 AI 总结报告\n", "**生成时间**: 2026-11-16 06:30:45 UTC",
    "**分析周期**: 2026-11-09 00:00 至 2026-11-16 00:00 UTC（7 天）",
    "## 📊 总体统计", "- **总邮件数**: 18", "- **总 Thread 数**: 5",
    "### 分类分布", "- **PATCH**: 3 threads (14 邮件)", "\n---\n", "## 📌 PATCH",
    "共 3 个 thread", "### Thread 1: [PATCH v3 0/3]",
    "**📧 邮件数**: 8 | **👥 参与者**: 5 | **📅 开始时间**: 2026-11-09 10:05 UTC",
    "- **🧩 系列**: v3（上一版 v2 发于 2026-10-26），已收到 3/3",
    "  - Bob Reviewer \\<bob@kernel.org>: Reviewed-by → 2/3",
    "  - Carol Acker \\<carol@arm.com>: Acked-by → 整个系列\n",
    "- **📥 已合入**:", "“Applied to next, thanks!”",
    "- **🤖 构建机器人报告失败**:", "kernel test robot（11-10 02:30，3/3）",
    "- **🔗 存档**: <https://lore.kernel.org/kvmarm/20261109100500.1-alice@example.org/>",
    "- **📦 获取**: `b4 am 20261109100500.1-alice@example.org`",
    "#### 📋 摘要（内置）", "#### 📝 邮件列表",
    "1. **[11-09 10:05]** [PATCH v3 0/3]", "   - 发件人: Alice Example \\<alice@example.org>",
    "### Thread 2: [PATCH v2 0/4]", "已收到 3/4，缺 4/4", "- **⛔ NAK**:",
    "### Thread 3: [PATCH] KVM: arm64: Use __always_inline for \\*_el2 accessors",
    "## 📌 Discussion", "### Thread 1: Broken udelay()", "## 📌 Other",
    "- **🕰 延续**:",
  };
  const char *at;

  g_assert_true (md_summarise_builtin (w, "zh-CN", NULL));
  md = render (w, "weekly", "zh-CN", MD_FORMAT_MD);
  at = md;
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *next = strstr (at, order[i]);
      if (next == NULL)
        g_error ("'%s' missing or out of order in:\n%s", order[i], md);
      at = next;
    }
  g_assert_null (strstr (md, "大型 Thread"));   /* none this week */
}

static void
test_large_threads (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *zh = NULL, *en = NULL;

  w->large_threads = 2;
  zh = render (w, "weekly", "zh-CN", MD_FORMAT_MD);
  en = render (w, "weekly", "en", MD_FORMAT_MD);
  g_assert_nonnull (strstr (zh, "- **总 Thread 数**: 5\n- **大型 Thread** (>20封): 2 个\n"));
  g_assert_nonnull (strstr (en, "- **Large threads** (>20 messages): 2\n"));
}

/* A model's summary gets the AI heading and is sanitised. */
static void
test_model_summary (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *t = w->threads_v->pdata[3];
  g_autofree char *md = NULL, *html = NULL;

  t->summary = g_strdup ("# not a heading\nQuentin 报告了 udelay() 的问题。<img src=x onerror=alert(1)>");
  md = render (w, "weekly", "zh-CN", MD_FORMAT_MD);
  html = render (w, "weekly", "zh-CN", MD_FORMAT_HTML);
  g_assert_nonnull (strstr (md, "#### 🤖 AI 总结\n\n\\# not a heading\nQuentin 报告了 udelay() 的问题。\\<img"));
  g_assert_null (strstr (html, "<img"));
  g_assert_nonnull (strstr (html, "Quentin 报告了 udelay() 的问题。"));
}

static void
test_timezone_and_order (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autofree char *dir = top_path ("templates");
  MdRenderOptions o = { .format = MD_FORMAT_MD, .tz = tz, .templates_dir = dir };
  g_autofree char *md = md_render (w, &o, NULL);
  const char *a, *b;

  g_assert_nonnull (md);
  g_assert_nonnull (strstr (md, "**分析周期**: 2026-11-09 08:00 至 2026-11-16 08:00 +08:00（7 天）"));
  /* Messages keep the aggregator's (time) order: the robot at 02:30 UTC
   * on the 10th is 10:30 here and comes before Bob at 17:12. */
  a = strstr (md, "**[11-10 10:30]** Re: [PATCH v3 3/3]");
  b = strstr (md, "**[11-10 17:12]** Re: [PATCH v3 2/3]");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (a < b);
}

static void
test_archive_url (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *dir = top_path ("templates");
  MdRenderOptions o = { .format = MD_FORMAT_MD, .templates_dir = dir,
                        .archive_url = "https://mail.example/{list}/m/{message_id}" };
  MdThread *t = w->threads_v->pdata[0];
  MdRecord *r = (MdRecord *) t->messages->pdata[1];
  g_autofree char *md = NULL, *none = NULL;

  /* The table's key is the record's own string: re-key it. */
  g_hash_table_steal (w->records, r->message_id);
  g_free (r->message_id);
  r->message_id = g_strdup ("a+b/c d)](x@y");
  g_hash_table_insert (w->records, r->message_id, r);
  md = md_render (w, &o, NULL);
  g_assert_nonnull (strstr (md, "· [存档](https://mail.example/kvmarm/m/a%2Bb%2Fc%20d%29%5D%28x@y)"));
  o.archive_url = "";
  none = md_render (w, &o, NULL);
  g_assert_null (strstr (none, "存档"));
  g_assert_null (strstr (none, "https://"));
}

static void
test_user_template (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *dir = g_dir_make_tmp ("mldigest-tmpl-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mine.md.tmpl", NULL);
  g_autofree char *inc = g_build_filename (dir, "part.inc", NULL);
  g_autofree char *tdir = top_path ("templates");
  MdRenderOptions o = { .format = MD_FORMAT_TEXT, .template_name = path,
                        .templates_dir = tdir };
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (inc, "{{for c in categories}}{{c.name}}={{c.threads}} {{end}}", -1, NULL));
  g_assert_true (g_file_set_contents (path, "# {{LIST}} *digest*\n\n{{include \"part.inc\"}}\n", -1, NULL));
  out = md_render (w, &o, NULL);
  g_assert_cmpstr (out, ==, "KVMARM digest\n\nPATCH=3 Discussion=1 Other=1\n");
  g_unlink (inc), g_unlink (path), g_rmdir (dir);
}

static void
test_errors (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *dir = top_path ("templates");
  g_autofree char *tmp = g_dir_make_tmp ("mldigest-tmpl-XXXXXX", NULL);
  g_autofree char *broken = g_build_filename (tmp, "broken.md.tmpl", NULL);
  struct { MdRenderOptions o; int code; } cases[] = {
    { { .lang = "fr", .templates_dir = dir }, MD_ERROR_USAGE },
    { { .template_name = "/nonexistent/mine.md.tmpl", .templates_dir = dir }, MD_ERROR_CONFIG },
    { { .template_name = "we ekly", .templates_dir = dir }, MD_ERROR_USAGE },
    { { .template_name = "nosuch", .templates_dir = dir }, MD_ERROR_CONFIG },
    { { .archive_url = "javascript:alert(1)//{message_id}", .templates_dir = dir }, MD_ERROR_CONFIG },
    { { .template_name = broken, .templates_dir = dir }, MD_ERROR_CONFIG },
  };

  g_assert_true (g_file_set_contents (broken, "{{for x in}}\n{{nosuch.thing}}\n", -1, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) err = NULL;
      g_autofree char *out = md_render (w, &cases[i].o, &err);
      g_assert_null (out);
      g_assert_error (err, MD_ERROR, cases[i].code);
    }
  g_unlink (broken), g_rmdir (tmp);
}

/* ---- hostile mail ---- */

static const char hostile_subject[] =
  "<script>alert(1)</script> *bold* _u_ `code` [x](javascript:alert(1)) | a ~~s~~ &amp; \\\r\n"
  "# Injected heading\x01 \xff end";

static MdWeek *
hostile_week (void)
{
  MdWeek *w = fx_week ();
  MdThread *t = w->threads_v->pdata[3];
  MdRecord *r = (MdRecord *) t->messages->pdata[0];

  g_free (t->subject), t->subject = g_strdup (hostile_subject);
  g_free (r->subject), r->subject = g_strdup (hostile_subject);
  g_free (r->from_name), r->from_name = g_strdup ("# Evil ](javascript:alert(2)) <b>Name</b>\n- item");
  g_free (r->body), r->body = g_strdup ("<script>alert(3)</script>\n[click](javascript:alert(4))\n");
  return w;
}

/* No raw HTML, no link but our https ones, and exactly the headings the
 * template writes: one title, "分类分布" and one per thread. */
static void
assert_structure_intact (const char *md)
{
  cmark_node *doc = cmark_parse_document (md, strlen (md), CMARK_OPT_DEFAULT);
  cmark_iter *it = cmark_iter_new (doc);
  cmark_event_type ev;
  guint headings[7] = { 0 };

  while ((ev = cmark_iter_next (it)) != CMARK_EVENT_DONE)
    {
      cmark_node *n = cmark_iter_get_node (it);
      cmark_node_type type = cmark_node_get_type (n);
      if (ev != CMARK_EVENT_ENTER)
        continue;
      g_assert_cmpint (type, !=, CMARK_NODE_HTML_BLOCK);
      g_assert_cmpint (type, !=, CMARK_NODE_HTML_INLINE);
      if (type == CMARK_NODE_LINK)
        g_assert_true (g_str_has_prefix (cmark_node_get_url (n), "https://"));
      if (type == CMARK_NODE_HEADING)
        headings[cmark_node_get_heading_level (n)]++;
    }
  cmark_iter_free (it);
  cmark_node_free (doc);
  g_assert_cmpuint (headings[1], ==, 1);
  g_assert_cmpuint (headings[3], ==, 6);
}

static void
test_hostile_markdown (void)
{
  g_autoptr (MdWeek) w = hostile_week ();
  g_autofree char *md = NULL;

  g_assert_true (md_summarise_builtin (w, "zh-CN", NULL));
  md = render (w, "weekly", "zh-CN", MD_FORMAT_MD);
  assert_structure_intact (md);
  g_assert_null (strstr (md, "\n# Injected"));
  g_assert_null (strstr (md, "\r"));
  g_assert_null (strstr (md, "\x01"));
  g_assert_nonnull (strstr (md, "### Thread 1: \\<script>alert(1)\\</script> \\*bold\\* \\_u\\_ "
                                "\\`code\\` \\[x](javascript:alert(1)) \\| a \\~\\~s\\~\\~ \\&amp; "
                                "\\ # Injected heading \xef\xbf\xbd end\n"));
}

static void
test_hostile_html_text (void)
{
  g_autoptr (MdWeek) w = hostile_week ();
  g_autofree char *html = NULL, *text = NULL;
  g_autofree char *lower = NULL;

  g_assert_true (md_summarise_builtin (w, "en", NULL));
  html = render (w, "weekly", "en", MD_FORMAT_HTML);
  text = render (w, "weekly", "en", MD_FORMAT_TEXT);
  lower = g_ascii_strdown (html, -1);
  g_assert_null (strstr (lower, "<script"));
  g_assert_null (strstr (lower, "href=\"javascript"));
  g_assert_null (strstr (lower, "<b>name"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert(1)&lt;/script&gt; *bold* _u_ `code` "
                                  "[x](javascript:alert(1)) | a ~~s~~ &amp;amp; \\ # Injected heading"));
  g_assert_nonnull (strstr (text, "\nThread 1: <script>alert(1)</script> *bold* _u_ `code` "
                                  "[x](javascript:alert(1)) | a ~~s~~ &amp; \\ # Injected heading \xef\xbf\xbd end\n"));
  g_assert_nonnull (strstr (text, "From: # Evil ](javascript:alert(2)) <b>Name</b> - item <qperret@google.com>"));
}

/* The page tests/t0410-chromium.sh loads into a real browser. */
static void
test_golden_hostile (void)
{
  g_autoptr (MdWeek) w = hostile_week ();
  g_autofree char *html = NULL;

  g_assert_true (md_summarise_builtin (w, "zh-CN", NULL));
  html = render (w, "weekly", "zh-CN", MD_FORMAT_HTML);
  check_golden ("render-hostile.zh-CN.html", html);
}

static void
test_text_links_and_rules (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autofree char *text = render (w, "weekly", "zh-CN", MD_FORMAT_TEXT);

  g_assert_nonnull (strstr (text, "· 存档 <https://lore.kernel.org/kvmarm/udelay-w@kernel.org/>\n"));
  g_assert_nonnull (strstr (text, "\n----------------------------------------\n"));
  g_assert_null (strstr (text, "**"));
  g_assert_null (strstr (text, "\\<"));
}

int
main (int argc, char **argv)
{
  const char *build = g_getenv ("MLDIGEST_BUILD");

  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "UTC", TRUE);
  top = build ? g_path_get_dirname (build) : g_get_current_dir ();
  for (gsize i = 0; i < G_N_ELEMENTS (golden_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/render/golden/%s", golden_cases[i].golden);
      g_test_add_data_func (name, &golden_cases[i], test_golden);
    }
  g_test_add_func ("/render/weekly-layout", test_weekly_layout);
  g_test_add_func ("/render/large-threads", test_large_threads);
  g_test_add_func ("/render/model-summary", test_model_summary);
  g_test_add_func ("/render/timezone-order", test_timezone_and_order);
  g_test_add_func ("/render/archive-url", test_archive_url);
  g_test_add_func ("/render/user-template", test_user_template);
  g_test_add_func ("/render/errors", test_errors);
  g_test_add_func ("/render/hostile-markdown", test_hostile_markdown);
  g_test_add_func ("/render/hostile-html-text", test_hostile_html_text);
  g_test_add_func ("/render/text-links-rules", test_text_links_and_rules);
  g_test_add_func ("/render/golden/render-hostile.zh-CN.html", test_golden_hostile);
  return g_test_run ();
}
