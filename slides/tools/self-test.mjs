// The quote checker's own test: what it must accept, and what it must catch.
//   node tools/self-test.mjs     (./lab slides --check runs it first)

import { codeBlocks, quotedRegion, compareQuote } from './check.mjs';

const FILE = 'solutions/02-iterative-server/iterative_server.cpp';
const SERVE = `${FILE}#serve_client`;
const cases = [
    // [what, spec, slide lines, must match?]
    ['the exact function, comments shortened', SERVE, `
void serve_client(const net::Connection& client) {
    try {
        echo_until_client_leaves(client);
    } catch (const std::system_error& error) {
        if (net::is_disconnect(error)) return;   // it left
        std::cerr << "iterative-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "iterative-server: " << client.peer.to_string()
                  << ": " << error.what() << std::endl;
    }
}`, true],
    ['a catch clause dropped without "..."', SERVE, `
void serve_client(const net::Connection& client) {
    try {
        echo_until_client_leaves(client);
    } catch (const std::system_error& error) {
        if (net::is_disconnect(error)) return;
        std::cerr << "iterative-server: " << error.what() << std::endl;
    }
}`, false],
    ['a catch clause left out with "..."', SERVE, `
void serve_client(const net::Connection& client) {
    try {
        echo_until_client_leaves(client);
    } catch (const std::system_error& error) {
        if (net::is_disconnect(error)) return;
        std::cerr << "iterative-server: " << error.what() << std::endl;
    }
    ...
}`, true],
    ['one token changed', SERVE, `
void serve_client(net::Connection client) {
    ...
}`, false],
    ['a string literal changed', SERVE, `
...
        std::cerr << "iterative server: " << error.what() << std::endl;
...`, false],
    ['the start left out without "..."', SERVE, `
    try {
        echo_until_client_leaves(client);
    ...
}`, false],
    ['the end left out without "..."', SERVE, `
void serve_client(const net::Connection& client) {
    try {`, false],
    ['/* ... */ inside a line', SERVE, `
void serve_client(const net::Connection& client) {
    try { /* ... */ } catch (const std::exception& error) { /* ... */ }
}`, true],
    ['lines in the wrong order', `${FILE}#main`, `
...
            serve_client(client);
            net::Connection client = net::accept_client(listener);
...`, false],
    ['two definitions, one after the other', `${FILE}#echo_until_client_leaves+serve_client`, `
void echo_until_client_leaves(const net::Connection& client) {
    ...
}
void serve_client(const net::Connection& client) {
    ...
}`, true],
    ['a line range', `${FILE}:72-73`, `
net::Connection client = net::accept_client(listener);
serve_client(client);`, true],
];

let failed = 0;
for (const [what, spec, text, shouldMatch] of cases) {
    const region = quotedRegion(spec);
    if (region.error) {
        console.log(`FAIL ${what}: ${region.error}`);
        failed++;
        continue;
    }
    const problem = compareQuote(text.split('\n').slice(1), region);
    if ((problem === null) !== shouldMatch) {
        console.log(`FAIL ${what}: ${shouldMatch ? `rejected: ${problem}` : 'accepted'}`);
        failed++;
    } else if (problem && process.argv.includes('-v')) {
        console.log(`ok   ${what}: ${problem}`);
    }
}
for (const [spec, error] of [[`${FILE}#no_such_function`, 'no definition'], ['solutions/none.cpp', 'there is no'],
                             [`${FILE}:70-9999`, 'has lines']]) {
    const region = quotedRegion(spec);
    if (!region.error || !region.error.includes(error)) {
        console.log(`FAIL quote=${spec} must be refused (${error})`);
        failed++;
    }
}
const blocks = codeBlocks('---\nmarp: true\n---\n\n# one\n\n```cpp quote=a.cpp#f\nx\n```\n\n---\n\n```\ny\n```\n');
if (blocks.length !== 2 || blocks[0].slide !== 1 || blocks[0].quote !== 'a.cpp#f' || blocks[1].slide !== 2 || blocks[1].quote) {
    console.log(`FAIL codeBlocks: ${JSON.stringify(blocks)}`);
    failed++;
}
console.log(failed ? `quote checker self-test: ${failed} failed` : `quote checker self-test: ${cases.length + 4} cases passed`);
process.exit(failed ? 1 : 0);
