// Lint: typescript-eslint's type-aware recommended rules plus the folder boundaries of DESIGN.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const outside = (folders, extraPatterns = []) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        ...folders.map((folder) => ({
          group: [`**/${folder}/**`, `../${folder}/*`, `../../${folder}/*`],
          message: `This folder may not import from ${folder}/ (see DESIGN.md: folders); take an interface from src/ instead.`,
        })),
        ...extraPatterns,
      ],
    },
  ],
});

/** A channel never imports another channel (shared helpers belong in src/). */
const CHANNELS = ["twilio", "webchat", "whatsapp-web", "botframework"];
const noOtherChannel = {
  group: CHANNELS.flatMap((channel) => [`../${channel}/**`, `../../${channel}/**`, `../../channels/${channel}/**`]),
  message: "A channel never imports another channel (DESIGN.md: folders); move shared code to src/.",
};

export default tseslint.config(
  { ignores: ["node_modules/", ".data/", "dist/", "coverage/", "bench/results/", "channels/webchat/widget/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "bin/*.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/require-await": "off",
      "no-console": "off",
    },
  },
  { files: ["src/**/*.ts"], ignores: ["src/main.ts", "src/main/**"], rules: outside(["channels", "adapters", "escalation", "test"]) },
  { files: ["channels/**/*.ts"], rules: outside(["adapters", "escalation", "test"], [noOtherChannel]) },
  { files: ["adapters/**/*.ts"], rules: outside(["channels", "escalation", "test"]) },
  { files: ["escalation/**/*.ts"], rules: outside(["channels", "adapters", "test"]) },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  { files: ["**/*.js", "**/*.cjs"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
);
