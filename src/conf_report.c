/*
 * conf_report: the diagnostics and the `pharosd -v` report, shaped like
 * `nagios -v`'s so users find what they know.
 */
#include <stdio.h>

#include "conf_int.h"

static void
conf_print_range(const struct config *cfg, size_t from, size_t to, FILE *fp)
{
	const struct conf_msg *m;
	const char *lvl;
	size_t i;

	for (i = from; i < to && i < cfg->nmsgs; i++) {
		m = &cfg->msgs[i];
		lvl = m->level == CONF_ERROR ? "error" : "warning";
		if (m->file != NULL && m->line > 0)
			fprintf(fp, "%s:%d: %s: %s\n", m->file, m->line, lvl,
			    m->text);
		else if (m->file != NULL)
			fprintf(fp, "%s: %s: %s\n", m->file, lvl, m->text);
		else
			fprintf(fp, "%s: %s\n", lvl, m->text);
	}
}

void
conf_print_msgs(const struct config *cfg, FILE *fp)
{
	conf_print_range(cfg, 0, cfg->nmsgs, fp);
}

void
conf_print_report(const struct config *cfg, FILE *fp)
{
	const struct objects *o = &cfg->objects;
	const struct objects_priv *p = o->priv;
	size_t split = p != NULL ? p->check_msgs : cfg->nmsgs;

	fprintf(fp, "Reading configuration data...\n");
	if (p != NULL && p->main_errors > 0)
		fprintf(fp, "   Error processing main config file!\n");
	else
		fprintf(fp, "   Read main config file okay...\n");
	if (p == NULL || !p->main_unreadable)
		fprintf(fp, "   %s object config files%s\n",
		    p != NULL && p->read_errors > 0 ? "Error processing" :
		    "Read", p != NULL && p->read_errors > 0 ? "!" : " okay...");
	conf_print_range(cfg, 0, split, fp);
	fprintf(fp, "\n");
	if (p == NULL || !p->main_unreadable) {
		fprintf(fp, "Running pre-flight check on configuration "
		    "data...\n\n");
		fprintf(fp, "Checking objects...\n");
		conf_print_range(cfg, split, cfg->nmsgs, fp);
		fprintf(fp, "\tChecked %zu services.\n", o->nservices);
		conf_print_discovered(o, fp);
		fprintf(fp, "\tChecked %zu hosts.\n", o->nhosts);
		fprintf(fp, "\tChecked %zu host groups.\n", o->nhostgroups);
		fprintf(fp, "\tChecked %zu contacts.\n", o->ncontacts);
		fprintf(fp, "\tChecked %zu contact groups.\n",
		    o->ncontactgroups);
		fprintf(fp, "\tChecked %zu commands.\n", o->ncommands);
		fprintf(fp, "\tChecked %zu time periods.\n", o->ntimeperiods);
		conf_print_notify(o, fp, false);
		fprintf(fp, "\tAccepted %zu definitions not acted on yet "
		    "(servicegroups, extinfo).\n", o->nignored);
		fprintf(fp, "Checking for circular paths...\n");
		fprintf(fp, "\tChecked %zu hosts\n", o->nhosts);
		conf_print_notify(o, fp, true);
		fprintf(fp, "\n");
	}
	fprintf(fp, "Total Warnings: %u\n", cfg->nwarnings);
	fprintf(fp, "Total Errors:   %u\n\n", cfg->nerrors);
	if (cfg->nerrors == 0)
		fprintf(fp, "Things look okay - No serious problems were "
		    "detected during the pre-flight check\n");
	else
		fprintf(fp, "***> One or more problems were found while "
		    "checking the configuration.\n     Fix the errors above "
		    "(file:line) and run the check again.\n");
}
