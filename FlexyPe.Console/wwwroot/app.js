// The console's only script: keeps a sequence's unsaved draft in this browser (localStorage), so a session that ends
// mid-edit, a reload or a lost connection does not lose the marketer's work. Drafts never leave the browser.
window.flexypeDrafts = {
    save: (key, json) => { try { localStorage.setItem(key, json); } catch { /* storage full or blocked: nothing to keep */ } },
    load: (key) => localStorage.getItem(key),
    remove: (key) => localStorage.removeItem(key),
};
