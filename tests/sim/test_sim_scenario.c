/* Scenario parser of iiot-sim: values, defaults, expansion, errors. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../sim/scenario.h"

static char err[512];

static int parse(struct sim_scenario *sc, const char *text)
{
	err[0] = '\0';
	return scenario_parse(sc, text, strlen(text), "t", err, sizeof(err));
}

static void test_small_line(void **state)
{
	const char *text =
		"# a comment\n"
		"[scenario]\n"
		"name = demo line   # trailing comment\n"
		"seed = 42\n"
		"[ethercat-master m1]\n"
		"cycle = 500us\n"
		"mode = lrd-lwr\n"
		"[ethercat-slave io]\n"
		"master = m1\n"
		"count = 3\n"
		"station = 0x2000\n"
		"serial = 10\n"
		"inputs = 4\n"
		"outputs = 2\n"
		"[profinet-controller plc]\n"
		"ip = 10.1.0.1\n"
		"[profinet-device dev]\n"
		"controller = plc\n"
		"count = 2\n"
		"ip = 10.1.0.10\n"
		"frame_out = 0xc100\n"
		"frame_in = 0xc101\n"
		"cycle = 4ms\n"
		"[signal]\n"
		"target = dev-2\n"
		"offset = 4\n"
		"type = f32\n"
		"shape = ramp\n"
		"[fault]\n"
		"kind = slave-drop\n"
		"target = io-2\n"
		"at = 1.5s\n";
	struct sim_scenario sc;
	struct in_addr a;

	(void)state;
	assert_int_equal(parse(&sc, text), 0);
	assert_string_equal(sc.name, "demo line");
	assert_int_equal(sc.seed, 42);
	assert_int_equal(sc.nmasters, 1);
	assert_true(sc.masters[0].split);
	assert_int_equal(sc.masters[0].cycle_ns, 500000);
	assert_int_equal(sc.masters[0].diag_every, 1000);	/* default */
	assert_int_equal(sc.nslaves, 3);
	assert_string_equal(sc.slaves[2].name, "io-3");
	assert_int_equal(sc.slaves[2].station, 0x2002);
	assert_int_equal(sc.slaves[2].serial, 12);
	assert_int_equal(sc.slaves[2].position, 2);
	assert_int_equal(sc.slaves[2].image_off, 12);
	assert_int_equal(sc.masters[0].image_len, 18);
	assert_int_equal(sc.ndevices, 2);
	assert_string_equal(sc.devices[1].name, "dev-2");
	a.s_addr = sc.devices[1].ip;
	assert_string_equal(inet_ntoa(a), "10.1.0.11");
	assert_int_equal(sc.devices[1].frame_out, 0xc102);
	assert_int_equal(sc.devices[1].frame_in, 0xc103);
	assert_int_equal(sc.devices[0].mac[5] + 1, sc.devices[1].mac[5]);
	assert_int_equal(sc.devices[1].cycle_ns, 4000000);
	assert_int_equal(sc.ctrls[0].ndevices, 2);
	assert_int_equal(sc.nsignals, 1);
	assert_int_equal(sc.signals[0].target_kind, TGT_DEVICE);
	assert_int_equal(sc.signals[0].target, 1);
	assert_int_equal(sc.nfaults, 1);
	assert_int_equal(sc.faults[0].target, 1);
	assert_int_equal(sc.faults[0].at_ns, 1500000000ULL);
	scenario_free(&sc);
}

static void test_unknown_device_fault(void **state)
{
	struct sim_scenario sc;

	(void)state;
	assert_int_equal(parse(&sc,
		"[profinet-controller plc]\n"
		"[fault]\nkind = unknown-device\nname = rogue\n"
		"mac = 00:0e:8c:66:00:01\n"), 0);
	assert_int_equal(sc.ndevices, 1);
	assert_true(sc.devices[0].unknown);
	assert_string_equal(sc.devices[0].name, "rogue");
	assert_int_equal(sc.faults[0].device, 0);
	scenario_free(&sc);
}

/* modules in slot order, inputs each followed by its IOPS, the IOCS last;
 * out of order or past the device's inputs: an error naming the line */
static void test_profinet_modules(void **state)
{
	static const char *line =
		"[profinet-controller plc]\n"
		"[profinet-device io]\ncontroller = plc\ncount = 2\n"
		"[profinet-module]\ndevice = io-2\nslot = 1\nident = 0x103\n"
		"inputs = 4\n"
		"[profinet-module]\ndevice = io-2\nslot = 2\nident = 0x104\n"
		"submodule = 0x1040\ninputs = 2\n";
	struct sim_scenario sc;
	char text[1024];

	(void)state;
	assert_int_equal(parse(&sc, line), 0);
	assert_int_equal(sc.nmodules, 2);
	assert_int_equal(sc.modules[0].device, 1);
	assert_int_equal(sc.modules[0].sub_ident, 0x103);
	assert_int_equal(sc.modules[1].sub_ident, 0x1040);
	assert_int_equal(sc.modules[1].in_off, 5);
	assert_int_equal(sc.devices[1].nstatus, 3);
	assert_int_equal(sc.devices[1].status_pos[0], 4);
	assert_int_equal(sc.devices[1].status_pos[1], 7);
	assert_int_equal(sc.devices[1].status_pos[2], 8);
	assert_int_equal(sc.devices[0].nstatus, 0);
	assert_int_equal(sc.devices[0].dap_ident, 1);
	scenario_free(&sc);

	snprintf(text, sizeof(text), "%s[profinet-module]\ndevice = io-2\n"
		 "slot = 2\nident = 1\n", line);
	assert_int_equal(parse(&sc, text), -1);
	assert_non_null(strstr(err, "rising slot order"));
	snprintf(text, sizeof(text), "%s[profinet-module]\ndevice = io-1\n"
		 "slot = 1\nident = 1\ninputs = 39\n", line);
	assert_int_equal(parse(&sc, text), -1);
	assert_non_null(strstr(err, "past the device's 40 input bytes"));
	assert_int_equal(parse(&sc, "[profinet-module]\ndevice = nope\n"), -1);
	assert_non_null(strstr(err, "no PROFINET device 'nope'"));
}

static void test_attacks(void **state)
{
	struct sim_scenario sc;

	(void)state;
	assert_int_equal(parse(&sc,
		"[scenario]\nprofinet_vlan = 7\n"
		"[ethercat-master m]\n[ethercat-slave s]\nmaster = m\n"
		"[profinet-controller plc]\n[profinet-device d]\ncontroller = plc\n"
		"[attack]\nkind = dcp-set\ntarget = d\nat = 1s\n"
		"[attack]\nkind = identify-flood\nvlan = 3\npriority = 5\n"
		"[attack]\nkind = ecat-station-write\ntarget = s\n"
		"source = 00:16:3e:00:00:01\n"
		"[attack]\nkind = ecat-al-control\ntarget = s\nstate = boot\n"
		"count = 3\nrate = 2\n"), 0);
	assert_int_equal(sc.nattacks, 4);
	/* one-shot: once; the rest: for a second at the kind's rate */
	assert_int_equal(sc.attacks[0].count, 1);
	assert_int_equal(sc.attacks[0].at_ns, 1000000000ULL);
	assert_string_equal(sc.attacks[0].set_name, "renamed-by-attacker");
	assert_true(sc.attacks[0].tagged);	/* from profinet_vlan */
	assert_int_equal(sc.attacks[0].vlan, 7);
	assert_int_equal(sc.attacks[1].count, 0);
	assert_int_equal(sc.attacks[1].duration_ns, 1000000000ULL);
	assert_true(sc.attacks[1].rate == 1000);
	assert_int_equal(sc.attacks[1].vlan, 3);
	assert_int_equal(sc.attacks[1].priority, 5);
	assert_int_equal(sc.attacks[2].target_kind, TGT_SLAVE);
	assert_int_equal(sc.attacks[2].value, 0x1101);	/* station + 0x100 */
	assert_int_equal(sc.attacks[2].mac[1], 0x16);
	assert_int_equal(sc.attacks[3].value, 3);	/* BOOT */
	assert_int_equal(sc.attacks[3].count, 3);
	assert_string_equal(sim_attack_rule(sc.attacks[3].kind),
			    "ecat.write.al_control");
	scenario_free(&sc);
	/* an attack alone is enough to simulate */
	assert_int_equal(parse(&sc, "[attack]\nkind = mac-flood\n"), 0);
	scenario_free(&sc);
}

static const struct { const char *text, *want; } bad[] = {
	{ "[attack]\nkind = teleport\n", "t:2: kind must be one of dcp-set" },
	{ "[attack]\nkind = dcp-set\n", "t:1: a dcp-set attack needs target" },
	{ "[attack]\nkind = mac-flood\nrate = 0\n",
	  "t:3: rate must be a number from 0.001" },
	{ "[attack]\nkind = mac-flood\nset_name = x\n",
	  "t:1: set_name does not apply to a mac-flood attack" },
	{ "[attack]\nkind = identify-flood\nframes = dcp\n",
	  "t:1: frames does not apply to a identify-flood attack" },
	{ "[attack]\nkind = mac-flood\nframes = udp\n",
	  "t:3: frames must be one of tcp, dcp, not 'udp'" },
	{ "[profinet-controller plc]\n[fault]\nkind = unknown-device\n"
	  "name = ghost\n[attack]\nkind = name-responder\ntarget = ghost\n",
	  "t:5: a name-responder attack needs a configured device" },
	{ "[attack]\nkind = mac-flood\nvlan = 4095\n",
	  "t:3: vlan must be a whole number from 0 to 4094" },
	{ "[attack]\nkind = mac-flood\nsource = 01:00:00:00:00:01\n",
	  "t:3: source 01:00:00:00:00:01 is a multicast" },
	{ "x = 1\n", "t:1: 'x = ...' outside a section" },
	{ "[ethercat-master m]\n[ethercat-slave]\nmaster = m\ncount = 0\n",
	  "t:4: count must be a whole number from 1 to 1000" },
	{ "[ethercat-master m]\ncycle = 10ns\n", "t:2: cycle must be from" },
	{ "[ethercat-master m]\ncycle = fast\n", "t:2: cycle must be a time" },
	{ "[ethercat-master m]\nmac = 01:00:00:00:00:01\n",
	  "t:2: mac 01:00:00:00:00:01 is a multicast" },
	{ "[ethercat-master m]\nmac = 02:00:00:00:00:01\n",
	  "t:2: mac 02:00:00:00:00:01: a master's MAC must be globally" },
	{ "[ethercat-master m]\nmac = 00:00:00:00:01\n", "t:2: mac must be a MAC" },
	{ "[ethercat-master m]\n", "t:1: master m has no slaves" },
	{ "[scenario]\n", "nothing to simulate" },
	{ "[ethercat-master m]\n[ethercat-master m]\n",
	  "t:2: the name 'm' is used twice" },
	{ "[ethercat-master m]\n[ethercat-slave]\nmaster = m\nstation = 5\n"
	  "[ethercat-slave]\nmaster = m\nstation = 5\n",
	  "t:5: station address 0x0005 is used twice" },
	{ "[ethercat-master]\n", "t:1: [ethercat-master] needs a name" },
	{ "[ethercat-master m]\ncycle = 1ms\ncycle = 2ms\n",
	  "t:3: key 'cycle' given twice" },
	{ "[ethercat-master m]\ncycle\n", "t:2: expected 'key = value'" },
	{ "[ethercat-master m]\ncycle =\n", "t:2: key 'cycle' has no value" },
	{ "[ethercat-master m\n", "t:1: a section header is" },
	{ "[ethercat-master m] x\n", "t:1: a section header is" },
	{ "[signal name]\n", "t:1: [signal] takes no name" },
	{ "[ethercat-master m]\nMode = lrw\n", "t:2: a key is lower case" },
	{ "[ethercat-master m]\nmode = lwr\n", "t:2: mode must be one of lrw, lrd-lwr" },
	{ "[profinet-controller plc]\n[profinet-device d]\n",
	  "t:2: [profinet-device] needs controller" },
	{ "[profinet-controller plc]\n[profinet-device d]\ncontroller = plc\n"
	  "inputs = 12\n", "t:4: inputs must be a whole number from 40" },
	{ "[profinet-controller plc]\n[profinet-device d]\ncontroller = plc\n"
	  "frame_in = 0xc000\nframe_out = 0xc000\n",
	  "t:2: frame_in and frame_out must differ" },
	{ "[profinet-controller plc]\n[profinet-device d]\ncontroller = plc\n"
	  "frame_in = 0xc000\n", "t:2: give both frame_in and frame_out" },
	{ "[profinet-controller plc]\n[profinet-device a]\ncontroller = plc\n"
	  "frame_in = 0xc000\nframe_out = 0xc001\n"
	  "[profinet-device b]\ncontroller = plc\n"
	  "frame_in = 0xc001\nframe_out = 0xc002\n",
	  "t:6: device b reuses a FrameID of a" },
	{ "[profinet-controller plc]\n[profinet-device a]\ncontroller = plc\n"
	  "mac = 00:0e:8c:00:00:05\n[profinet-device b]\ncontroller = plc\n"
	  "mac = 00:0e:8c:00:00:05\n", "t:5: device b has the MAC of a" },
	{ "[profinet-controller plc]\n[profinet-device a]\ncontroller = plc\n"
	  "[signal]\ntarget = a\noffset = 39\ntype = u16\n",
	  "t:4: offset 39 + 2 bytes is past the target's 40 input bytes" },
	{ "[profinet-controller plc]\n[signal]\ntarget = plc\n",
	  "t:2: a signal's target must be a slave or device" },
	{ "[profinet-controller plc]\n[signal]\ntarget = nobody\n",
	  "t:3: no master, slave, controller or device named 'nobody'" },
	{ "[profinet-controller plc]\n[fault]\nkind = jitter\n",
	  "t:2: a jitter fault needs target" },
	{ "[profinet-controller plc]\n[fault]\nkind = slave-drop\ntarget = plc\n",
	  "t:2: a slave-drop fault cannot target that" },
	{ "[profinet-controller plc]\n[profinet-device d]\ncontroller = plc\n"
	  "[fault]\nkind = jitter\ntarget = d\n",
	  "t:4: a jitter fault needs jitter = TIME" },
	{ "[profinet-controller plc]\n[fault]\nkind = unknown-device\n",
	  "t:2: an unknown-device fault needs name" },
	{ "[profinet-controller plc]\n[fault]\nkind = meteor\n",
	  "t:3: kind must be one of lost-frames" },
	{ "[profinet-controller plc]\n[fault]\nrate = 1.5\n",
	  "t:3: rate must be a number from 0 to 1" },
	{ "[profinet-controller PLC]\n", "t:1: name 'PLC'" },
	{ "[profinet-controller plc]\n[profinet-controller x]\nip = 1.2.3\n",
	  "t:3: ip must be an IPv4 address" },
	{ "[ethercat-master m]\n[ethercat-master n]\n[ethercat-slave]\n"
	  "master = m\n[ethercat-slave]\nmaster = n\n[ethercat-slave]\n"
	  "master = m\n", "t:7: slaves of master m must follow each other" },
	{ "[ethercat-master m]\n[ethercat-slave]\nmaster = m\ninputs = 512\n"
	  "outputs = 512\n", "t:2: inputs + outputs of a slave must not exceed 730" },
	{ "[ethercat-master m]\ncycle = 1ms\xc3\xa9\n",
	  "t:2: a control or non-ASCII character" },
};

static void test_errors_name_the_line(void **state)
{
	struct sim_scenario sc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&sc, bad[i].text) != -1 ||
		    !strstr(err, bad[i].want))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i,
				 bad[i].want, err);
		/* a failed parse leaves nothing to free */
		assert_null(sc.masters);
		assert_null(sc.devices);
	}
}

static void test_limits(void **state)
{
	struct sim_scenario sc;
	char *big = malloc(SIM_MAX_LINE + 64);
	const char nul[] = "[scenario]\nname = a\0b\n";
	int rc;

	(void)state;
	memset(big, 'a', SIM_MAX_LINE + 40);
	memcpy(big, "[scenario]\nname = ", 18);
	big[SIM_MAX_LINE + 40] = '\0';
	rc = parse(&sc, big);
	free(big);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "t:2: line longer than 512"));
	assert_int_equal(scenario_parse(&sc, nul, sizeof(nul) - 1, "t", err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "t:2: a NUL byte"));
	assert_int_equal(parse(&sc, "[ethercat-master m]\n[ethercat-slave]\n"
			       "master = m\ncount = 1000\n[ethercat-slave]\n"
			       "master = m\n"), -1);
	assert_non_null(strstr(err, "t:5: master m has more than 1000"));
}

static void test_shipped_scenarios(void **state)
{
	static const char *const files[] = {
		"sim/scenarios/small-cell.conf",
		"sim/scenarios/large-line.conf",
	};
	struct sim_scenario sc;
	static const char *const faulty[] = {
		"sim/scenarios/faulty-line.conf",
		"sim/scenarios/degrading-line.conf",
		"sim/scenarios/dc-drift.conf",
	};
	bool kinds[FAULT_KINDS] = { false };
	uint32_t i, j;

	(void)state;
	assert_int_equal(scenario_load(&sc, files[0], err, sizeof(err)), 0);
	assert_int_equal(sc.nmasters, 1);
	assert_int_equal(sc.nslaves, 8);
	assert_int_equal(sc.masters[0].cycle_ns, 1000000);
	assert_int_equal(sc.ndevices, 4);
	assert_int_equal(sc.devices[0].cycle_ns, 2000000);
	scenario_free(&sc);

	assert_int_equal(scenario_load(&sc, files[1], err, sizeof(err)), 0);
	assert_true(sc.nslaves + sc.ndevices >= 1000);
	scenario_free(&sc);

	/* the analog line: the large line, two noisy inputs a terminal */
	assert_int_equal(scenario_load(&sc, "sim/scenarios/analog-line.conf",
				       err, sizeof(err)), 0);
	assert_int_equal(sc.nslaves + sc.ndevices, 1040);
	assert_int_equal(sc.nsignals, 4 * 199 * 2);
	for (i = 0; i < sc.nsignals; i++)
		assert_true(sc.signals[i].noise > 0);
	scenario_free(&sc);

	/* every fault kind is in a shipped scenario: the faulty line, or
	 * the degrading and the DC drifting lines of the diagnostics */
	for (j = 0; j < 3; j++) {
		assert_int_equal(scenario_load(&sc, faulty[j], err,
					       sizeof(err)), 0);
		for (i = 0; i < sc.nfaults; i++)
			kinds[sc.faults[i].kind] = true;
		if (j == 2)
			assert_int_equal(sc.masters[0].dc_every, 500);
		scenario_free(&sc);
	}
	for (i = 0; i < FAULT_KINDS; i++)
		if (!kinds[i])
			fail_msg("no shipped scenario has a %s fault",
				 sim_fault_name((enum sim_fault_kind)i));
	/* every attack kind has its scenario, named after it */
	for (i = 0; i < ATK_KINDS; i++) {
		char path[128];

		snprintf(path, sizeof(path), "sim/scenarios/attacks/%s.conf",
			 sim_attack_name((enum sim_attack_kind)i));
		if (scenario_load(&sc, path, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(sc.nattacks, 1);
		assert_int_equal(sc.attacks[0].kind, i);
		scenario_free(&sc);
	}

	assert_int_equal(scenario_load(&sc, "sim/scenarios/none.conf", err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "none.conf: No such file"));
}

/* count = N puts the same signal on N slaves a count made, in order */
static void test_signal_count(void **state)
{
	static const char line[] =
		"[ethercat-master m]\n"
		"[ethercat-slave io]\nmaster = m\ncount = 4\ninputs = 4\n"
		"[signal]\ntarget = io-2\ncount = 3\noffset = 2\n"
		"type = i16\nnoise = 2\n";
	struct sim_scenario sc;
	uint32_t i;

	(void)state;
	assert_int_equal(parse(&sc, line), 0);
	assert_int_equal(sc.nsignals, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sc.signals[i].target_kind, TGT_SLAVE);
		assert_int_equal(sc.signals[i].target, i + 1);
		assert_int_equal(sc.signals[i].offset, 2);
		assert_true(sc.signals[i].noise == 2);
	}
	scenario_free(&sc);

	/* one past the last slave */
	assert_int_equal(parse(&sc,
		"[ethercat-master m]\n"
		"[ethercat-slave io]\nmaster = m\ncount = 4\ninputs = 4\n"
		"[signal]\ntarget = io-2\ncount = 4\n"), -1);
	assert_string_equal(err, "t:6: count = 4 goes past the last slave");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_line),
		cmocka_unit_test(test_unknown_device_fault),
		cmocka_unit_test(test_profinet_modules),
		cmocka_unit_test(test_attacks),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_shipped_scenarios),
		cmocka_unit_test(test_signal_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
