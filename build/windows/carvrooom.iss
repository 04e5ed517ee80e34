; Inno Setup 6 script: wraps the PyInstaller one-folder build (build\dist\carvrooom) into a per-user installer.
; Built by build\windows\build_windows.ps1 (which passes /DAppVersion= from carvrooom_desktop\__init__.py), or by hand:
;   iscc /DAppVersion=0.1.0 build\windows\carvrooom.iss
; carvrooom.exe is the windowed app; carvrooom-cli.exe (same folder, same _internal\) is the command line, put on
; the user's PATH. No admin rights: everything goes to the user's profile and HKCU (PrivilegesRequired=lowest).
; Uninstall removes the program, its file types and the PATH entry; the user's data (store, recordings,
; settings, logs in %LOCALAPPDATA%\CarVrooom\carvrooom) stays unless the user ticks "yes" when asked.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "CarVrooom Desktop"
#define AppExe "carvrooom.exe"
#define CliExe "carvrooom-cli.exe"
#define SourceUrl "https://github.com/carvrooom/carvrooom-desktop"

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{EAE20006-5ADC-4114-8417-5DADE8C2E9D9}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=CarVrooom
AppPublisherURL={#SourceUrl}
AppSupportURL={#SourceUrl}
AppUpdatesURL={#SourceUrl}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
UsePreviousAppDir=yes
OutputDir=..\dist
OutputBaseFilename=carvrooom-desktop-{#AppVersion}-setup
SetupIconFile=..\icons\carvrooom.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
LicenseFile=..\..\LICENSE
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
ChangesEnvironment=yes
CloseApplications=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Put the command line (carvrooom-cli) on my PATH"; GroupDescription: "Command line:"
Name: "associate"; Description: "Open CAN logs (.blf, .asc, .mf4) and signal databases (.dbc) with {#AppName}"; GroupDescription: "File types:"

[InstallDelete]
; an upgrade replaces the bundle whole: no stale module of the previous version may stay in _internal
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\carvrooom\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Diagnostic workstation for car workshops"
Name: "{autoprograms}\{#AppName} licences"; Filename: "{app}\_internal\licences"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; File associations, per user (HKA is HKCU for a per-user install): a ProgID for logs, one for databases.
Root: HKA; Subkey: "Software\Classes\CarVrooom.Log"; ValueType: string; ValueName: ""; ValueData: "CAN log"; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\CarVrooom.Log\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: associate
Root: HKA; Subkey: "Software\Classes\CarVrooom.Log\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\CarVrooom.Dbc"; ValueType: string; ValueName: ""; ValueData: "CAN signal database"; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\CarVrooom.Dbc\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: associate
Root: HKA; Subkey: "Software\Classes\CarVrooom.Dbc\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\.blf\OpenWithProgids"; ValueType: string; ValueName: "CarVrooom.Log"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\.asc\OpenWithProgids"; ValueType: string; ValueName: "CarVrooom.Log"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\.mf4\OpenWithProgids"; ValueType: string; ValueName: "CarVrooom.Log"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\.dbc\OpenWithProgids"; ValueType: string; ValueName: "CarVrooom.Dbc"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".blf"; ValueData: ""; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".asc"; ValueData: ""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".mf4"; ValueData: ""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".dbc"; ValueData: ""; Tasks: associate
; The CLI on PATH: the user's own Path (HKCU\Environment), appended once; removed again on uninstall ([Code]).
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}')); Tasks: addtopath

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

procedure RemovePath(Dir: string);
var
  Path: string;
  P: Integer;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
    exit;
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';');
  if P = 0 then
    exit;
  if P = 1 then
    Delete(Path, 1, Length(Dir) + 1)  // the first entry: "DIR;..."
  else
    Delete(Path, P - 1, Length(Dir) + 1);  // ";DIR" further on
  RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: string;
begin
  if CurUninstallStep = usUninstall then
    RemovePath(ExpandConstant('{app}'));
  if CurUninstallStep = usPostUninstall then
  begin
    // platformdirs' folder for ("carvrooom", "CarVrooom"): the store, recordings, settings and logs
    DataDir := ExpandConstant('{localappdata}\CarVrooom\carvrooom');
    if DirExists(DataDir) and not UninstallSilent() then
      if MsgBox('Also delete your CarVrooom data (the store with cars, recordings and claims, settings, logs) in ' + DataDir + '?' + #13#10 +
                'Choose No to keep it for a later install.', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;
