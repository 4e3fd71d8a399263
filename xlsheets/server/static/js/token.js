// xlsheets: the task pane's 「接続キー」 field. Saves the key in this PC's add-in storage
// (localStorage of the add-in's origin); auth.js sends it as "Authorization: Bearer <key>".
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("xs-token");
  const save = document.getElementById("xs-token-save");
  const state = document.getElementById("xs-token-state");
  if (!input || !save) return;
  const show = () => {
    state.textContent = localStorage.getItem(globalThis.xlsheetsTokenKey) ? "保存済み" : "未設定";
  };
  save.addEventListener("click", () => {
    const key = input.value.trim();
    if (key) localStorage.setItem(globalThis.xlsheetsTokenKey, key);
    else localStorage.removeItem(globalThis.xlsheetsTokenKey);
    input.value = "";
    show();
  });
  show();
});
