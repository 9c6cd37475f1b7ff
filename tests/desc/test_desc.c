/*
 * Device descriptions (daemon/desc): iiot's own GSDML, ESI and ENI for the
 * simulator's small cell (etc/descriptions) parse, and the signals they
 * give lie where the hand-written etc/signals.map puts them; bad XML,
 * entity bombs and external entities are refused with the line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "desc/desc.h"
#include "model/model.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static struct desc *load(const char *path)
{
	char err[256] = "";
	size_t len;
	char *b = slurp(path, &len);
	struct desc *d = desc_parse(b, len, err, sizeof(err));

	if (!d)
		fail_msg("%s: %s", path, err);
	free(b);
	return d;
}

/* the parse fails and err holds want */
static void refused(const char *xml, const char *want)
{
	char err[256] = "";
	struct desc *d = desc_parse(xml, strlen(xml), err, sizeof(err));

	if (d || !strstr(err, want))
		fail_msg("want an error with '%s', got %s '%s'", want,
			 d ? "a description and" : "", err);
	desc_free(d);
}

/* one mapping line: NAME DEVICE OFFSET TYPE */
struct line {
	char name[64], dev[64], type[8];
	unsigned long off;
};

static size_t lines_of(const char *text, const char *dev, struct line *v,
		       size_t max)
{
	const char *p = text;
	size_t n = 0;

	while (p && *p) {
		struct line l;

		if (*p != '#' && *p != '\n' &&
		    sscanf(p, "%63s %63s %li %7s", l.name, l.dev,
			   (long *)&l.off, l.type) == 4 &&
		    !strcmp(l.dev, dev) && n < max)
			v[n++] = l;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static unsigned int tsize(const char *t)
{
	return !strncmp(t, "bit", 3) || t[1] == '8' ? 1 :
	       strstr(t, "16") ? 2 : 4;
}

static void test_eni_small_cell(void **state)
{
	struct desc *d = load("etc/descriptions/small-cell.eni.xml");

	(void)state;
	assert_int_equal(d->kind, DESC_ENI);
	assert_string_equal(d->name, "plc-ecat");
	assert_int_equal(d->ndevs, 8);
	assert_string_equal(d->devs[5].name, "el3064-1");
	assert_int_equal(d->devs[5].product, 0x0bf83052);
	assert_int_equal(d->devs[5].vendor_id, 2);
	assert_int_equal(d->devs[5].phys_addr, 0x1006);
	assert_int_equal(d->ncmds, 1);
	assert_int_equal(d->cmds[0].addr, 0x10000);
	assert_int_equal(d->cmds[0].len, 28);
	desc_free(d);
}

/*
 * Every EtherCAT signal of etc/signals.map has its bytes in the import:
 * a byte of digital inputs as its eight bits, a word as one entry of the
 * same size (the map reads the simulator's drift as u16, the terminal
 * declares INT: the same bytes).
 */
static void test_eni_signals_equal_hand_map(void **state)
{
	struct desc *d = load("etc/descriptions/small-cell.eni.xml");
	struct line hand[64], imp[256];
	size_t nh, ni, nsig, skipped, i, j, bits;
	size_t len;
	char *map = slurp("etc/signals.map", &len);
	char *text = desc_eni_sigmap(d, NULL, &nsig, &skipped);

	(void)state;
	assert_non_null(text);
	/* 16 digital inputs, 16 outputs, 8 analog inputs, 4 outputs */
	assert_int_equal(nsig, 16 + 16 + 8 + 4);
	assert_int_equal(skipped, 0);
	nh = lines_of(map, "ecat", hand, 64);
	ni = lines_of(text, "ecat", imp, 256);
	assert_int_equal(ni, nsig);
	assert_true(nh >= 4);
	for (i = 0; i < nh; i++) {
		bits = 0;
		for (j = 0; j < ni; j++) {
			if (imp[j].off != hand[i].off)
				continue;
			if (!strncmp(imp[j].type, "bit", 3))
				bits |= 1U << (imp[j].type[3] - '0');
			else if (tsize(imp[j].type) == tsize(hand[i].type))
				break;
		}
		if (j == ni && !(tsize(hand[i].type) == 1 && bits == 0xff))
			fail_msg("%s at 0x%lx: nothing imported there",
				 hand[i].name, hand[i].off);
	}
	/* names as the engineering tool has them */
	assert_non_null(strstr(text, "el3064-1.AI_Compact_Channel_1.Value "));
	assert_non_null(strstr(text, "el1008-2.Channel_8.Input "));
	free(text);
	free(map);
	desc_free(d);
}

/* what the import gives, a mapping iiotd takes as it is */
static void test_eni_signals_load(void **state)
{
	struct desc *d = load("etc/descriptions/small-cell.eni.xml");
	struct model *m = model_new(NULL);
	size_t nsig, skipped;
	char *text = desc_eni_sigmap(d, "00:1b:21:10:00:01", &nsig, &skipped);
	char err[256] = "";

	(void)state;
	assert_non_null(m);
	if (model_parse_signals(m, text, strlen(text), "eni", err,
				sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(model_signal_count(m), nsig);
	model_free(m);
	free(text);
	desc_free(d);
}

static void test_esi_terminals(void **state)
{
	struct desc *d = load("etc/descriptions/sim-terminals.esi.xml");
	const struct desc_device *el3064 = &d->devs[3];
	const struct desc_group *g;
	const struct desc_entry *e;

	(void)state;
	assert_int_equal(d->kind, DESC_ESI);
	assert_int_equal(d->vendor_id, 2);
	assert_int_equal(d->ndevs, 5);
	assert_string_equal(el3064->type, "EL3064");
	assert_int_equal(el3064->product, 0x0bf83052);
	assert_int_equal(el3064->revision, 0x00140000);
	assert_int_equal(el3064->n, 8);		/* standard and compact */
	g = &d->groups[el3064->first];
	assert_int_equal(g->index, 0x1a00);
	assert_int_equal(g->dir, DESC_IN);
	assert_false(g->assigned);
	e = &d->ents[g->first + g->n - 1];	/* after a byte of status */
	assert_string_equal(e->name, "Value");
	assert_string_equal(e->type, "INT");
	assert_int_equal(e->index, 0x6000);
	assert_int_equal(e->subindex, 0x11);
	assert_int_equal(e->bitoff, 16);
	assert_int_equal(e->bitlen, 16);
	desc_free(d);
}

/* every hand-written line is among the imported ones: offset and type */
static void covers(const char *station, const struct line *hand, size_t nh,
		   const struct line *imp, size_t ni)
{
	size_t j, k;

	for (j = 0; j < nh; j++) {
		for (k = 0; k < ni; k++)
			if (imp[k].off == hand[j].off &&
			    !strcmp(imp[k].type, hand[j].type))
				break;
		if (k == ni)
			fail_msg("%s: %s %s at %lu not imported", station,
				 hand[j].name, hand[j].type, hand[j].off);
	}
}

/* the press, the level, the counter, the temperature of small-cell */
static void test_gsdml_slots_equal_hand_map(void **state)
{
	static const struct {
		const char *station;
		const char *slots[2];
	} line[] = {
		{ "et200sp-1", { "M_AI_F32", NULL } },
		{ "et200sp-2", { "0x102", NULL } },	/* by ident number */
		{ "et200sp-3", { "M_DI_32", "M_AI_U16" } },
		{ "et200sp-4", { "M_MACHINE", NULL } },
	};
	struct desc *d = load("etc/descriptions/sim-et200sp.gsdml.xml");
	size_t len, i, nh, ni, nsig, skipped;
	char *map = slurp("etc/signals.map", &len);
	char err[256], dev[64];

	(void)state;
	assert_int_equal(d->kind, DESC_GSDML);
	assert_int_equal(d->vendor_id, 0x2a);
	assert_string_equal(d->vendor, "Simulated IO devices (iiot)");
	assert_string_equal(d->name, "IM simulated");
	for (i = 0; i < 4; i++) {
		struct line hand[16], imp[16];
		size_t ns = line[i].slots[1] ? 2 : 1;
		char *text = desc_gsdml_sigmap(d, line[i].station,
					       line[i].slots, ns, &nsig,
					       &skipped, err, sizeof(err));

		if (!text)
			fail_msg("%s: %s", line[i].station, err);
		snprintf(dev, sizeof(dev), "pn:%s", line[i].station);
		nh = lines_of(map, dev, hand, 16);
		ni = lines_of(text, dev, imp, 16);
		assert_true(nh > 0);
		covers(line[i].station, hand, nh, imp, ni);
		free(text);
	}
	free(map);
	desc_free(d);
}

/*
 * The same stations as a connect request describes them: module and
 * submodule ident numbers per slot, each input data object's frame
 * offset (each data object followed by its IOPS, as the simulator's
 * connect lays them out: sim/scenarios/small-cell.conf), on the
 * IOCR's FrameID; an ident this GSDML lacks is counted, not guessed.
 */
static void test_gsdml_connect_equal_hand_map(void **state)
{
	static const struct {
		const char *station;
		struct desc_pn_sub sub[3];
		size_t n;
	} line[] = {
		{ "et200sp-1", { { 1, 1, 0x101, 0x101, 0 } }, 1 },
		{ "et200sp-2", { { 1, 1, 0x102, 0x102, 0 } }, 1 },
		{ "et200sp-3", { { 1, 1, 0x103, 0x103, 0 },
				 { 2, 1, 0x104, 0x104, 5 },
				 { 3, 1, 0x999, 0x999, 8 } }, 3 },
		{ "et200sp-4", { { 1, 1, 0x105, 0x105, 0 } }, 1 },
	};
	struct desc *d = load("etc/descriptions/sim-et200sp.gsdml.xml");
	size_t len, i, nh, ni, nsig, skipped, unknown;
	char *map = slurp("etc/signals.map", &len);
	char dev[64], sel[80];

	(void)state;
	for (i = 0; i < 4; i++) {
		struct line hand[16], imp[16];
		char *text;

		snprintf(dev, sizeof(dev), "pn:%s", line[i].station);
		snprintf(sel, sizeof(sel), "%s@0xc001", dev);
		text = desc_gsdml_cr_sigmap(d, line[i].station, sel,
					    line[i].sub, line[i].n, &nsig,
					    &skipped, &unknown);
		assert_non_null(text);
		assert_int_equal(unknown, line[i].n == 3 ? 1 : 0);
		nh = lines_of(map, dev, hand, 16);
		ni = lines_of(text, sel, imp, 16);
		assert_true(nh > 0);
		assert_int_equal(ni, nsig);
		covers(line[i].station, hand, nh, imp, ni);
		free(text);
	}
	free(map);
	desc_free(d);
}

static void test_gsdml_unknown_module(void **state)
{
	struct desc *d = load("etc/descriptions/sim-et200sp.gsdml.xml");
	const char *slots[] = { "M_NOPE" };
	size_t nsig, skipped;
	char err[256] = "";

	(void)state;
	assert_null(desc_gsdml_sigmap(d, "x", slots, 1, &nsig, &skipped, err,
				      sizeof(err)));
	assert_non_null(strstr(err, "slot 1: no module 'M_NOPE'"));
	desc_free(d);
}

static void test_malformed_names_line(void **state)
{
	(void)state;
	refused("<EtherCATConfig>\n<Config>\n<Slave>\n</Config>\n",
		"line 4: malformed XML");
	refused("", "empty file");
	refused("<?xml version=\"1.0\"?>\n<Foo/>\n",
		"line 2: root element <Foo> is none of");
	refused("<EtherCATInfo>\n <Vendor><Id>#xZZ</Id></Vendor>\n"
		"</EtherCATInfo>\n", "line 2: <Id> '#xZZ' is not a number");
	refused("<EtherCATConfig><Config>\n<Slave><Info>\n"
		"<Name>a</Name><VendorId>2</VendorId>"
		"<ProductCode>1</ProductCode></Info>\n<ProcessData>\n"
		"<TxPdo><Index>#x1a00</Index>\n<Entry><Index>#x6000</Index>"
		"</Entry></TxPdo></ProcessData></Slave></Config>"
		"</EtherCATConfig>",
		"line 6: <Entry> without <BitLen>");
}

/* a billion laughs: refused at its first declaration, nothing expanded */
static void test_entity_bomb_refused(void **state)
{
	(void)state;
	refused("<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		"]>\n"
		"<EtherCATInfo><Vendor><Id>&lol4;</Id></Vendor>"
		"</EtherCATInfo>\n", "line 2: a DOCTYPE is not allowed");
}

static void test_external_entity_refused(void **state)
{
	(void)state;
	refused("<?xml version=\"1.0\"?>\n\n"
		"<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
		"<EtherCATInfo><Vendor><Name>&xxe;</Name></Vendor>"
		"</EtherCATInfo>\n", "line 3: a DOCTYPE is not allowed");
	refused("<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE x SYSTEM \"http://192.0.2.1/x.dtd\">\n"
		"<EtherCATInfo/>\n",
		"line 2: a DOCTYPE naming an external DTD is not allowed");
}

static void test_size_limit(void **state)
{
	size_t n = DESC_MAX_FILE + 1;
	char *b = malloc(n), err[128] = "";

	(void)state;
	assert_non_null(b);
	memset(b, ' ', n);
	assert_null(desc_parse(b, n, err, sizeof(err)));
	assert_non_null(strstr(err, "at most"));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eni_small_cell),
		cmocka_unit_test(test_eni_signals_equal_hand_map),
		cmocka_unit_test(test_eni_signals_load),
		cmocka_unit_test(test_esi_terminals),
		cmocka_unit_test(test_gsdml_slots_equal_hand_map),
		cmocka_unit_test(test_gsdml_connect_equal_hand_map),
		cmocka_unit_test(test_gsdml_unknown_module),
		cmocka_unit_test(test_malformed_names_line),
		cmocka_unit_test(test_entity_bomb_refused),
		cmocka_unit_test(test_external_entity_refused),
		cmocka_unit_test(test_size_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
