// Load pages in a real browser (Debian's chromium, headless, through the
// DevTools protocol with puppeteer-core) and fail on any JavaScript console
// error, page error, failed request, HTTP error or broken image. Takes a
// full-page screenshot of each. Used by tests/integration/test_web.sh.
//
//   node browser.js BASE_URL USER PASSWORD OUT_DIR PATH...
'use strict';

const path = require('path');
const puppeteer = require('puppeteer-core');

async function main() {
	const [base, user, pass, outDir, ...pages] = process.argv.slice(2);
	if (!base || !outDir || pages.length === 0) {
		console.error('usage: node browser.js BASE USER PASS OUT_DIR PATH...');
		process.exit(2);
	}
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
			'--disable-dev-shm-usage'],
	});
	let problems = 0;
	try {
		for (const p of pages) {
			const page = await browser.newPage();
			const bad = [];
			await page.authenticate({ username: user, password: pass });
			await page.setViewport({ width: 1366, height: 900 });
			page.on('console', (m) => {
				if (m.type() === 'error')
					bad.push('console error: ' + m.text());
			});
			page.on('pageerror', (e) => bad.push('page error: ' + e.message));
			page.on('requestfailed', (r) =>
				bad.push('request failed: ' + r.url() + ' ' +
				    (r.failure() ? r.failure().errorText : '')));
			page.on('response', (r) => {
				if (r.status() >= 400)
					bad.push('HTTP ' + r.status() + ': ' + r.url());
			});
			const resp = await page.goto(base + p, { waitUntil: 'networkidle0',
				timeout: 30000 });
			if (!resp || resp.status() !== 200)
				bad.push('page answered ' + (resp ? resp.status() : 'nothing'));
			const broken = await page.evaluate(() =>
				Array.from(document.images)
				    .filter((i) => !i.complete || i.naturalWidth === 0)
				    .map((i) => i.src));
			for (const b of broken)
				bad.push('broken image: ' + b);
			const css = await page.evaluate(() =>
				getComputedStyle(document.body).backgroundColor);
			if (css === 'rgba(0, 0, 0, 0)')
				bad.push('the stylesheet did not apply');
			const name = p.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
			const file = path.join(outDir, name + '.png');
			await page.screenshot({ path: file, fullPage: true });
			console.log((bad.length ? 'FAIL ' : 'ok   ') + p + ' -> ' + file);
			for (const b of bad)
				console.log('     ' + b);
			problems += bad.length;
			await page.close();
		}
	} finally {
		await browser.close();
	}
	process.exit(problems ? 1 : 0);
}

main().catch((e) => {
	console.error('browser test: ' + e.message);
	process.exit(3);
});
